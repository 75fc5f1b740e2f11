"""Where an order is: its saga's status query, or for a closed one what Temporal keeps; the
truth of a terminated run, and of a run refused because another owns the order."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.service import RPCError

from activities.payment.contracts import RecordedDispute
from order_saga.client.errors import (
    NoWorkerAnswered,
)
from order_saga.client.orders import OrderHandle, find_order
from workflows.order_outcome import owner_of_refused
from workflows.order_request import (
    order_id_from,
)
from workflows.order_state import (
    STATUS_QUERY,
    OrderResult,
    SagaState,
    SagaStatus,
)
from workflows.return_request import ReturnView
from workflows.search_attributes import ORDER_STATUS

QUERY_TIMEOUT = timedelta(seconds=10)


class ClosedOrder(BaseModel):
    """What is known of a closed saga that no worker is left to replay: its search attribute."""

    order_id: str
    status: str | None
    steps: None = None
    notices: list[str] = Field(default_factory=list)
    returns: list[ReturnView] = Field(default_factory=list)
    disputes: list[RecordedDispute] = Field(default_factory=list)


async def order_status(
    client: Client, order_id: str, *, customer: str | None = None
) -> SagaStatus | ClosedOrder:
    """The order's status (with `customer`, only if it is theirs: `find_order`). When the
    latest run under its id was refused because an earlier run owns the order, the owner's
    status, with the refusal as a notice."""
    handle, description = await find_order(client, order_id, customer=customer)
    if description.status == WorkflowExecutionStatus.FAILED:
        owner = await refusing_owner(handle)
        if owner is not None:
            owner_handle = client.get_workflow_handle(
                owner[0], run_id=owner[1], result_type=OrderResult
            )
            refused = (
                f"a later run under this id ({description.run_id}) was refused: the order "
                f"belongs to run {owner[1]}, whose status this is"
            )
            with contextlib.suppress(RPCError):  # the owner's run may be past retention
                status = await _run_status(owner_handle, await owner_handle.describe())
                status.notices.append(refused)
                return status
    return await _run_status(handle, description)


async def refusing_owner(handle: OrderHandle) -> tuple[str, str | None] | None:
    """For a failed run that was refused because another run owns the order, that owner."""
    try:
        await handle.result(follow_runs=False)
    except WorkflowFailureError as err:
        return owner_of_refused(err.cause)
    return None


async def _run_status(
    handle: OrderHandle, description: WorkflowExecutionDescription
) -> SagaStatus | ClosedOrder:
    """One run's `status` query (its search attribute for a closed run with no worker), and
    TERMINATED for a run an operator stopped: what it did stays in place."""
    order_id = order_id_from(handle.id)
    terminated = description.status == WorkflowExecutionStatus.TERMINATED
    try:
        status: SagaStatus | ClosedOrder = await query_status(handle, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as err:
        if description.status == WorkflowExecutionStatus.RUNNING:
            raise NoWorkerAnswered(
                f"no worker answered for order {order_id}: {err.message}"
            ) from err
        state = description.typed_search_attributes.get(ORDER_STATUS)
        status = ClosedOrder(order_id=order_id, status=state)
    if terminated:
        status.notices.append(
            f"terminated by an operator while {status.status or 'running'}: nothing was undone; "
            "what it reserved, charged or booked stays in place until a person settles it"
        )
        status.status = SagaState.TERMINATED
    return status


async def query_status(
    handle: WorkflowHandle[Any, Any], *, rpc_timeout: timedelta | None = None
) -> SagaStatus:
    """The saga's `status` query: its state and each step's progress."""
    status: SagaStatus = await handle.query(
        STATUS_QUERY, result_type=SagaStatus, rpc_timeout=rpc_timeout
    )
    return status
