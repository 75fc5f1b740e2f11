"""Returns over the client API: open one (its own workflow, numbered per order), read it,
and a person's word on it (the parcel is back, rejected, a refused refund settled)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.returns.contracts import ReturnedItem
from order_saga.client.errors import OrderNotFound, ReturnNotFound, ReturnRefused
from order_saga.client.orders import find_order
from workflows.order_request import order_id_from
from workflows.return_request import (
    ReceiveParcel,
    RejectReturn,
    ResolveReturn,
    ReturnRequest,
    ReturnState,
    ReturnView,
    is_return_id,
)
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
) -> ReturnView:
    """Open a return of shipped units: its workflow starts under the order's next free
    number, and this answers once it is accepted (awaiting the parcel) or refused (raised,
    naming why). A customer's return is for their own order alone."""
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
        if view.state == ReturnState.REFUSED:
            raise ReturnRefused(view.detail)
        return view
    raise ReturnRefused(f"order {order_id} has had {MAX_RETURNS} returns: no more")


async def return_status(
    client: Client, return_id: str, *, customer: str | None = None
) -> ReturnView:
    """Where a return is (a customer's own alone: another's reads as missing)."""
    view: ReturnView = await _call(client, return_id, "status", None, customer, query=True)
    return view


async def return_result(client: Client, return_id: str) -> ReturnView:
    """How the return ended, once it has (refunded, rejected, expired...)."""
    if not is_return_id(return_id):
        raise ReturnNotFound(f"no return {return_id}")
    ended: ReturnView = await client.get_workflow_handle(return_id, result_type=ReturnView).result()
    return ended


SETTLED = frozenset(
    {
        ReturnState.REFUNDED,
        ReturnState.RESOLVED,
        ReturnState.REFUND_FAILED,
        ReturnState.REJECTED,
        ReturnState.EXPIRED,
    }
)


async def settled(client: Client, return_id: str, *, within: float = 60) -> ReturnView:
    """The return once its money is settled (refunded, or waiting for a person), or as it
    stands after `within` seconds (a refund pending at the bank takes its time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        view = await return_status(client, return_id)
        if view.state in SETTLED or loop.time() > deadline:
            return view
        await asyncio.sleep(0.2)  # polled with a deadline: the workflow answers at once


async def receive_return(
    client: Client, return_id: str, unusable: list[ReturnedItem], *, by: str
) -> ReturnView:
    """The parcel is back: its usable units are restocked and the lines refunded."""
    return await _call(client, return_id, "receive", ReceiveParcel(unusable=unusable, by=by))


async def reject_return(client: Client, return_id: str, reason: str, *, by: str) -> ReturnView:
    """Refuse a return awaiting its parcel: nothing is refunded."""
    return await _call(client, return_id, "reject", RejectReturn(reason=reason, by=by))


async def resolve_return(
    client: Client, return_id: str, action: str, *, by: str, note: str | None = None
) -> ReturnView:
    """A person's answer to a refused refund: `retry`, or `mark-resolved` with a note."""
    resolution = ResolveReturn.model_validate({"action": action, "note": note, "by": by})
    return await _call(client, return_id, "resolve", resolution)


async def _call(
    client: Client,
    return_id: str,
    name: str,
    arg: Any,
    customer: str | None = None,
    *,
    query: bool = False,
) -> ReturnView:
    if not is_return_id(return_id):
        raise ReturnNotFound(f"no return {return_id}")
    handle = client.get_workflow_handle(return_id, result_type=ReturnView)
    try:
        if query:
            view: ReturnView = await handle.query(
                name, result_type=ReturnView, rpc_timeout=timedelta(seconds=10)
            )
            if customer is not None and view.customer_id != customer:
                raise ReturnNotFound(f"no return {return_id}")
            return view
        TRAIL.info("%s asked return %s to %s", getattr(arg, "by", "?"), return_id, name)
        done: ReturnView = await handle.execute_update(name, arg, result_type=ReturnView)
        return done
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        if query:
            raise ReturnNotFound(f"no return {return_id}") from err
        # An update to a return that has ended (a retried receive whose answer was lost,
        # say) is refused naming where it ended, not as a missing return.
        ended = await _call(client, return_id, "status", None, query=True)
        raise ReturnRefused(f"return {return_id} is {ended.state}: cannot {name}") from err
    except WorkflowUpdateFailedError as err:
        raise ReturnRefused(str(err.cause or err)) from err
