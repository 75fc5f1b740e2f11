"""Cancelling an order: the request, refused clearly past the point of no return, and the
wait for its undo, saying what it waits for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from order_saga.client.errors import (
    OrderError,
)
from order_saga.client.orders import TRAIL, OrderHandle, find_order, order_state_of
from order_saga.client.outcomes import wait_for_end
from order_saga.client.status import query_status
from order_saga.order_events import local_call
from workflows.cancel_request import cancel_reason_with
from workflows.order_request import (
    order_id_from,
)
from workflows.order_state import SHIPPED_STATES, SagaStatus

WAIT_REPORT_INTERVAL = timedelta(seconds=3)  # how often a waiting cancel says what it waits for


async def cancel_order(
    client: Client,
    order_id: str,
    reason: str,
    *,
    wait: bool,
    by: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> SagaStatus | None:
    """Ask the saga to cancel (`request_cancel`); with `wait`, return its status once the
    undo has run, telling `on_wait` now and then what the undo waits for."""
    handle = await request_cancel(client, order_id, reason, by=by)
    if not wait:
        return None
    ended = asyncio.create_task(wait_for_end(handle))
    told = ""
    while not ended.done():
        await asyncio.wait({ended}, timeout=WAIT_REPORT_INTERVAL.total_seconds())
        if on_wait is not None and not ended.done():
            waiting_for = await pending_work(handle)
            if waiting_for and waiting_for != told:
                on_wait(waiting_for)
                told = waiting_for
    await ended
    return await query_status(handle)


async def pending_work(handle: WorkflowHandle[Any, Any]) -> str:
    """What a running saga waits for, in a line: its activities in flight, their attempt and
    last failure (a gateway that does not answer, say). A colocated saga's steps are not
    pending on the server: its history's last local-activity marker tells a retry's wait."""
    description = await handle.describe()
    parts = []
    for pending in description.raw_description.pending_activities:
        failure = pending.last_failure.message if pending.HasField("last_failure") else ""
        parts.append(waiting_line(pending.activity_type.name, pending.attempt, failure))
    if parts:
        return ", ".join(parts)
    last = None
    async for event in handle.fetch_history_events():
        last = local_call(event) or last
    if last is not None and last.retrying:
        return waiting_line(last.activity, last.attempt + 1, last.message or "")
    return ""


def waiting_line(activity: str, attempt: int, failure: str) -> str:
    """One activity a cancel waits for, as `pending_work` says it."""
    line = f"{activity} (attempt {attempt}"
    if failure:
        line += f"; last failure: {failure.splitlines()[0][:200]}"
    return line + ")"


async def request_cancel(
    client: Client,
    order_id: str,
    reason: str,
    *,
    by: str | None = None,
    customer: str | None = None,
) -> OrderHandle:
    """Send the saga its cancel, naming who asked (`by`, recorded in its history and status);
    refuse clearly when the order is past the point of no return. With `customer`, only
    their own order (`find_order`). Returns the saga's handle."""
    handle, description = await find_order(client, order_id, customer=customer)
    order_id = order_id_from(handle.id)
    if description.status != WorkflowExecutionStatus.RUNNING:
        state = order_state_of(description)
        if description.status == WorkflowExecutionStatus.COMPLETED and state in SHIPPED_STATES:
            raise OrderError(
                f"order {order_id} was handed to the carrier; it can no longer be cancelled"
            )
        ended = state or (description.status.name if description.status else "unknown")
        raise OrderError(f"order {order_id} already ended ({ended})")
    try:
        await handle.cancel(reason=cancel_reason_with(reason, by))
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:  # it closed in the meantime
            raise OrderError(f"order {order_id} ended before the cancel arrived") from err
        raise
    TRAIL.info("cancel of order %s asked by %s: %s", order_id, by or "-", reason or "-")
    return handle
