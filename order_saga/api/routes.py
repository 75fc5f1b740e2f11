"""The order API's routes: start, inspect, cancel, resolve and list orders over the client API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from order_saga import client as orders
from order_saga.api.auth import Amender, Canceller, Lister, Reader, Resolver, Reviewer
from order_saga.api.bodies import Amend, CancelRequest, Resolve, Review
from order_saga.api.dependencies import TemporalClient
from order_saga.api.problems import FieldProblem, ProblemError, responses
from order_saga.client import ClosedOrder, OrderSummary, after_sale
from workflows.order_request import order_id_from
from workflows.order_state import SHIPPED_STATES, SagaState, SagaStatus


class Accepted(BaseModel):
    """A request taken: the saga runs; its status is at `status_url` (also `Location`)."""

    order_id: str
    workflow_id: str
    status_url: str


router = APIRouter()
# Every route here names its caller: a refusal for that is a problem too.
REFUSALS = (401, 403, 503)


def accepted(request: Request, response: Response, order_id: str, workflow_id: str) -> Accepted:
    """202's body and `Location`: where the order's status is."""
    url = str(request.url_for("get_order", order_id=order_id).path)
    response.headers["Location"] = url
    return Accepted(order_id=order_id, workflow_id=workflow_id, status_url=url)


@router.get(
    "/api/orders/{order_id}",
    response_model=SagaStatus | ClosedOrder,
    responses=responses(404, 422, *REFUSALS),
)
async def get_order(
    order_id: str, request: Request, client: TemporalClient, caller: Reader
) -> SagaStatus | ClosedOrder:
    """Where the saga is and how each step went (the order id or the workflow id), and a
    shipped order's returns; a customer's own order alone (another's answers as if it did
    not exist)."""
    status = await orders.order_status(client, order_id, customer=caller.customer_id)
    engine = request.app.state.engine
    if engine is not None and status.status in SHIPPED_STATES:
        await run_in_threadpool(after_sale.tell, engine, status)
    return status


@router.patch(
    "/api/orders/{order_id}",
    response_model=SagaStatus,
    responses=responses(404, 409, 413, 422, *REFUSALS),
)
async def amend_order(
    order_id: str, amend: Annotated[Amend, Body()], client: TemporalClient, caller: Amender
) -> SagaStatus:
    """Ship the order to a new address, or fewer units of its lines (a customer their own
    order, a storefront, an operator): a booked shipment is re-booked with the carrier, the
    units go back on the shelf and the payment is captured for the new total. 409, naming
    why, once the parcel is handed over or the payment captured, while the order ends, or
    for a country the carrier does not serve (the booking stays as it was). The saga records
    who asked."""
    return await orders.amend_order(
        client,
        order_id,
        amend.shipping_address,
        lines=amend.lines,
        by=caller.label,
        customer=caller.customer_id,
    )


@router.post(
    "/api/orders/{order_id}/cancel",
    status_code=202,
    response_model=Accepted,
    responses=responses(404, 409, 413, 422, *REFUSALS, location=202),
)
async def cancel_order(
    order_id: str,
    request: Request,
    response: Response,
    client: TemporalClient,
    caller: Canceller,
    cancel: Annotated[CancelRequest | None, Body()] = None,
) -> Accepted:
    """Ask the saga to undo what it did, newest first; refused (409) once the shipment is
    handed to the carrier or the order has ended. Follow `Location` for the outcome. The
    saga records who asked."""
    reason = (cancel or CancelRequest()).reason
    handle = await orders.request_cancel(
        client, order_id, reason, by=caller.label, customer=caller.customer_id
    )
    return accepted(request, response, order_id_from(handle.id), handle.id)


@router.post(
    "/api/orders/{order_id}/resolve",
    response_model=SagaStatus,
    responses=responses(404, 409, 413, 422, *REFUSALS),
)
async def resolve_order(
    order_id: str,
    resolution: Annotated[Resolve, Body()],
    client: TemporalClient,
    caller: Resolver,
) -> SagaStatus:
    """Settle a saga waiting in COMPENSATION_FAILED (operators): `retry` its failed undos,
    or `mark-resolved` with a note of what was done by hand (the saga then ends RESOLVED).
    409 when it is not waiting for a person. The saga records who asked."""
    if resolution.action == "retry":
        return await orders.retry_undos(client, order_id, by=caller.label)
    return await orders.mark_resolved(client, order_id, resolution.note or "", by=caller.label)


@router.post(
    "/api/orders/{order_id}/review",
    response_model=SagaStatus,
    responses=responses(404, 409, 413, 422, *REFUSALS),
)
async def review_order(
    order_id: str, review: Annotated[Review, Body()], client: TemporalClient, caller: Reviewer
) -> SagaStatus:
    """Approve or decline an order the risk rules hold, AWAITING_REVIEW (operators): a
    declined one is undone and its customer told. 409 when it is not awaiting review. The
    saga records who decided and why."""
    return await orders.review_order(
        client, order_id, review.decision, review.reason, by=caller.label
    )


@router.get("/api/orders", response_model=list[OrderSummary], responses=responses(422, *REFUSALS))
async def list_orders(
    client: TemporalClient,
    caller: Lister,
    status: Annotated[str | None, Query(description=f"OrderStatus: {', '.join(SagaState)}")] = None,
    customer: Annotated[str | None, Query(max_length=64, description="CustomerId")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[OrderSummary]:
    """Orders through Temporal visibility, newest first; a customer's own alone."""
    if caller.customer_id is not None:
        if customer not in (None, caller.customer_id):
            return []  # another customer's orders: as if there were none
        customer = caller.customer_id
    try:
        return await orders.list_orders(client, status=status, customer=customer, limit=limit)
    except orders.InvalidFilter as err:
        problem = FieldProblem(field=err.field, message=str(err))
        raise ProblemError(
            422, "invalid-request", "Invalid request", f"{err.field}: {err}", errors=[problem]
        ) from err
