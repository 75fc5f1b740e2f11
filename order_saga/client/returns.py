"""Returns over the client API: read one, and a person's word on it (the parcel is back,
rejected, a refused refund settled). Opening one is `return_opening`'s."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from activities.returns.contracts import ReturnedItem
from order_saga.client.errors import NoWorkerAnswered, ReturnNotFound, ReturnRefused
from order_saga.client.resolving import UPDATE_WAIT
from workflows.return_request import (
    ReceiveParcel,
    RejectReturn,
    ResolveReturn,
    ReturnState,
    ReturnView,
    is_return_id,
)

TRAIL = logging.getLogger("order_saga.trail")


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
    wait: timedelta = UPDATE_WAIT,
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
        done: ReturnView = await handle.execute_update(
            name, arg, result_type=ReturnView, rpc_timeout=wait
        )
        return done
    except WorkflowUpdateRPCTimeoutOrCancelledError as err:
        raise NoWorkerAnswered(
            f"no worker answered {name} of return {return_id} within "
            f"{wait.total_seconds():.0f} s; it may still apply: the return's status tells"
        ) from err
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
