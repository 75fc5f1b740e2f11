"""Opening a return over the client API: its own workflow, under the order's next free
number (`return-<order>-<n>`), answered once it is accepted or refused."""

from __future__ import annotations

import logging

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.returns.contracts import ReturnedItem
from order_saga.client.errors import (
    IdempotencyKeyReused,
    OrderNotFound,
    ReturnRefused,
)
from order_saga.client.orders import find_order
from order_saga.client.returns import return_status
from workflows.order_request import order_id_from
from workflows.return_request import ReturnRequest, ReturnState, ReturnView
from workflows.search_attributes import CUSTOMER_ID

TRAIL = logging.getLogger("order_saga.trail")
MAX_RETURNS = 100  # numbers tried for one order before giving up
RETURN_WORKFLOW = "OrderReturn"


async def open_return(
    client: Client,
    order_id: str,
    items: list[ReturnedItem],
    *,
    queue: str,
    by: str,
    reason: str | None = None,
    customer: str | None = None,
    window_days: int = 30,
    key: str | None = None,
) -> ReturnView:
    """Open a return of shipped units: its workflow starts under the order's next free
    number, and this answers once it is accepted (awaiting the parcel) or refused (raised,
    naming why). A customer's return is for their own order alone. With the client's
    Idempotency-Key `key`, the same request again answers with the return it opened."""
    handed_over_at, customer_id = None, customer
    try:
        handle, description = await find_order(client, order_id, customer=customer)
        order_id = order_id_from(handle.id)
        customer_id = description.typed_search_attributes.get(CUSTOMER_ID)
        if description.status == WorkflowExecutionStatus.RUNNING:
            raise ReturnRefused(
                f"order {order_id} is not yet handed to the carrier: a return opens once it is"
            )
        handed_over_at = description.close_time
    except OrderNotFound:
        if customer is not None:  # past retention, a customer's ownership cannot be checked
            raise
    for number in range(1, MAX_RETURNS + 1):
        request = ReturnRequest(
            order_id=order_id,
            number=number,
            items=items,
            reason=reason,
            opened_by=by,
            customer_id=customer_id,
            window_days=window_days,
            handed_over_at=handed_over_at,
            request_key=key,
        )
        try:
            started = await client.start_workflow(
                RETURN_WORKFLOW,
                request,
                id=request.return_id,
                task_queue=queue,
                result_type=ReturnView,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            continue  # that number is taken: the next one
        try:
            view: ReturnView = await started.execute_update("opened", result_type=ReturnView)
        except (WorkflowUpdateFailedError, RPCError):
            # Refused at once, the workflow may end before the update reaches it: its result
            # says the same.
            view = await started.result()
        TRAIL.info("%s opened return %s of order %s", by, view.return_id, order_id)
        if view.number_taken:
            continue  # an earlier return, past Temporal's retention, holds that number
        if view.opened_before is not None:
            return await return_status(client, view.opened_before)
        if view.key_reused:
            raise IdempotencyKeyReused(view.detail)
        if view.state == ReturnState.REFUSED:
            raise ReturnRefused(view.detail)
        return view
    raise ReturnRefused(f"order {order_id} has had {MAX_RETURNS} returns: no more")
