"""Finding sagas through Temporal visibility, by business state and customer."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from temporalio.client import Client

from activities.messages import printable
from order_saga.client.errors import InvalidFilter, UnknownStatus
from order_saga.client.orders import order_state_of
from order_saga.visibility import list_query
from workflows.order_request import order_id_from
from workflows.order_state import SagaState
from workflows.search_attributes import CUSTOMER_ID, ORDER_TOTAL


class OrderSummary(BaseModel):
    """One saga as visibility lists it."""

    order_id: str
    workflow_id: str
    status: str | None  # the OrderStatus search attribute, as `status` shows it
    customer_id: str | None
    order_total: Decimal | None  # money as a decimal string, as everywhere else
    started: str


def known_status(status: str) -> str:
    """An `OrderStatus` value, in any case; an unknown one is refused with the known ones,
    since visibility would answer it with an empty list."""
    if status.upper() not in SagaState.__members__:
        known = ", ".join(SagaState)
        raise UnknownStatus(f"unknown order status {status!r}; known: {known}")
    return status.upper()


async def list_orders(
    client: Client, *, status: str | None = None, customer: str | None = None, limit: int = 50
) -> list[OrderSummary]:
    """Sagas through Temporal visibility, newest first, narrowed by status and customer."""
    if status is not None:
        status = known_status(status)
    if customer is not None:
        try:
            printable(customer)  # a NUL reaches the server's SQL, and no customer id has one
        except ValueError as err:
            raise InvalidFilter("customer", f"customer {err}") from err
    rows = []
    async for execution in client.list_workflows(
        list_query(status=status, customer=customer), limit=limit
    ):
        attributes = execution.typed_search_attributes
        state = order_state_of(execution)
        total = attributes.get(ORDER_TOTAL)  # a Double in visibility: back to cents
        rows.append(
            OrderSummary(
                order_id=order_id_from(execution.id),
                workflow_id=execution.id,
                status=state,
                customer_id=attributes.get(CUSTOMER_ID),
                order_total=None if total is None else Decimal(f"{total:.2f}"),
                started=execution.start_time.isoformat(),
            )
        )
    return rows
