"""Starting an order's saga, finding it, asking where it is, its outcome, cancelling it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
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
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import CancelledError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.queues import queue
from order_saga import presentation
from order_saga.client.errors import (
    NoWorkerAnswered,
    OrderAlreadyStarted,
    OrderError,
    OrderNotFound,
)
from workflows.order_request import (
    DEFAULT_DEADLINE_SECONDS,
    WORKFLOW_ID_PREFIX,
    OrderRequest,
    order_id_from,
    workflow_id_for,
)
from workflows.order_state import (
    ORDER_TAKEN,
    STATUS_QUERY,
    WORKFLOW_TYPE,
    OrderResult,
    SagaState,
    SagaStatus,
    owner_of_refused,
    result_of,
)
from workflows.search_attributes import ORDER_STATUS, at_start

QUERY_TIMEOUT = timedelta(seconds=10)
WAIT_REPORT_INTERVAL = timedelta(seconds=3)  # how often a waiting cancel says what it waits for
OrderHandle = WorkflowHandle[Any, OrderResult]


class ClosedOrder(BaseModel):
    """What is known of a closed saga that no worker is left to replay: its search attribute."""

    order_id: str
    state: str | None
    steps: None = None
    notices: list[str] = Field(default_factory=list)


async def start_order(
    client: Client,
    order: OrderRequest,
    queue_prefix: str,
    *,
    default_deadline_seconds: int | None = DEFAULT_DEADLINE_SECONDS,
) -> OrderHandle:
    """Start once per order: a second start for the same order id is refused, even later.
    An order without a deadline gets the default one (the ORDER_DEADLINE_SECONDS setting)."""
    if order.deadline_seconds is None and default_deadline_seconds is not None:
        order = order.model_copy(update={"deadline_seconds": default_deadline_seconds})
    try:
        return await client.start_workflow(
            WORKFLOW_TYPE,
            order,
            result_type=OrderResult,
            id=order.workflow_id,
            task_queue=queue(queue_prefix, "orders"),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=at_start(order.customer_id, float(order.total)),
            static_summary=presentation.summary(order),
            static_details=presentation.details(order),
        )
    except WorkflowAlreadyStartedError as err:
        raise OrderAlreadyStarted(
            f"order {order.order_id} already has a saga ({order.workflow_id}); "
            f"see `order-saga status {order.order_id}`"
        ) from err


async def find_order(
    client: Client, reference: str
) -> tuple[OrderHandle, WorkflowExecutionDescription]:
    """The saga of an order named by its order id or by its workflow id (what `start`
    prints), and what Temporal knows of it; a clear error when there is none."""
    candidates = [workflow_id_for(reference)]
    if reference.startswith(WORKFLOW_ID_PREFIX):  # the order id first: it may look like one
        candidates.append(reference)
    for workflow_id in candidates:
        handle = client.get_workflow_handle(workflow_id, result_type=OrderResult)
        try:
            return handle, await handle.describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            if any(
                d.type_url.endswith("NamespaceNotFoundFailure") for d in err.grpc_status.details
            ):
                raise OrderError(f"Temporal has no namespace {client.namespace!r}") from err
    raise OrderNotFound(f"no saga for order {reference}")


async def order_status(client: Client, order_id: str) -> SagaStatus | ClosedOrder:
    """The order's status. When the latest run under its id was refused because an earlier
    run owns the order, the owner's status, with the refusal as a notice."""
    handle, description = await find_order(client, order_id)
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
        status = ClosedOrder(order_id=order_id, state=state)
    if terminated:
        status.notices.append(
            f"terminated by an operator while {status.state or 'running'}: nothing was undone; "
            "what it reserved, charged or booked stays in place until a person settles it"
        )
        status.state = SagaState.TERMINATED
    return status


async def cancel_order(
    client: Client,
    order_id: str,
    reason: str,
    *,
    wait: bool,
    on_wait: Callable[[str], None] | None = None,
) -> SagaStatus | None:
    """Ask the saga to cancel (`request_cancel`); with `wait`, return its status once the
    undo has run, telling `on_wait` now and then what the undo waits for."""
    handle = await request_cancel(client, order_id, reason)
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
    last failure (a gateway that does not answer, say)."""
    description = await handle.describe()
    parts = []
    for pending in description.raw_description.pending_activities:
        part = f"{pending.activity_type.name} (attempt {pending.attempt}"
        if pending.HasField("last_failure") and pending.last_failure.message:
            part += f"; last failure: {pending.last_failure.message.splitlines()[0][:200]}"
        parts.append(part + ")")
    return ", ".join(parts)


async def request_cancel(client: Client, order_id: str, reason: str) -> OrderHandle:
    """Send the saga its cancel; refuse clearly when the order is past the point of no
    return. Returns the saga's handle."""
    handle, description = await find_order(client, order_id)
    order_id = order_id_from(handle.id)
    if description.status != WorkflowExecutionStatus.RUNNING:
        state = description.typed_search_attributes.get(ORDER_STATUS)
        if description.status == WorkflowExecutionStatus.COMPLETED and state == "COMPLETED":
            raise OrderError(
                f"order {order_id} was handed to the carrier; it can no longer be cancelled"
            )
        ended = state or (description.status.name if description.status else "unknown")
        raise OrderError(f"order {order_id} already ended ({ended})")
    try:
        await handle.cancel(reason=reason)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:  # it closed in the meantime
            raise OrderError(f"order {order_id} ended before the cancel arrived") from err
        raise
    return handle


async def query_status(
    handle: WorkflowHandle[Any, Any], *, rpc_timeout: timedelta | None = None
) -> SagaStatus:
    """The saga's `status` query: its state and each step's progress."""
    status: SagaStatus = await handle.query(
        STATUS_QUERY, result_type=SagaStatus, rpc_timeout=rpc_timeout
    )
    return status


async def order_result(handle: OrderHandle) -> OrderResult:
    """The saga's outcome once it closes. A compensated saga closes as a failed workflow
    whose failure carries the result; a cancelled one as a cancelled workflow, with no
    result, so its final status tells what it undid."""
    try:
        return await handle.result()
    except WorkflowFailureError as err:
        compensated = result_of(err.cause)
        if compensated is not None:
            return compensated
        if owner_of_refused(err.cause) is not None:  # another run owns the order
            return OrderResult(
                order_id=order_id_from(handle.id),
                status=SagaState.REFUSED,
                error_type=ORDER_TAKEN,
                error_message=str(err.cause),
            )
        if not isinstance(err.cause, CancelledError):
            raise
    status = await query_status(handle)
    return OrderResult(
        order_id=status.order_id,
        status=status.state,
        error_message=status.cancel_reason,
        compensations_run=status.compensations_run,
        compensation_failures=status.compensation_failures,
    )


async def wait_for_end(handle: WorkflowHandle[Any, Any]) -> None:
    """Wait for a saga to close; a cancelled one closes as a cancelled workflow, no result."""
    with contextlib.suppress(WorkflowFailureError):
        await handle.result()


async def terminate_order(client: Client, order_id: str, reason: str) -> str:
    """Stop a running saga at once, undoing nothing (for operators; `cancel` undoes).
    Returns the workflow id."""
    handle, description = await find_order(client, order_id)
    if description.status != WorkflowExecutionStatus.RUNNING:
        state = description.typed_search_attributes.get(ORDER_STATUS) or "closed"
        raise OrderError(f"order {order_id_from(handle.id)} already ended ({state})")
    await handle.terminate(reason=reason)
    return handle.id
