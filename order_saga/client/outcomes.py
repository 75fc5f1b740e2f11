"""An order's outcome: its result once the saga closes, or as soon as it waits for a person."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.converter import PayloadConverter
from temporalio.exceptions import CancelledError

from order_saga.client.orders import OrderHandle
from order_saga.client.status import query_status
from workflows.order_outcome import ORDER_TAKEN, owner_of_refused, result_of
from workflows.order_request import (
    order_id_from,
)
from workflows.order_state import (
    OrderFacts,
    OrderResult,
    SagaState,
    SagaStatus,
    StepState,
)
from workflows.search_attributes import ORDER_STATUS


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
    return result_from_status(status, status=status.status, error_message=status.cancel_reason)


async def order_outcome(handle: OrderHandle) -> OrderResult:
    """The saga's outcome as soon as it has one: its result once it closes, or, once it
    waits for a person to settle an undo that failed, COMPENSATION_FAILED (it stays open)."""
    closed = asyncio.create_task(order_result(handle))
    waiting = asyncio.create_task(waits_for_person(handle))
    await asyncio.wait({closed, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if closed.done() or not waiting.result():
        waiting.cancel()
        return await closed
    closed.cancel()
    status = await query_status(handle)
    failed = next((s for s in status.steps if s.state == StepState.FAILED), None)
    return result_from_status(
        status,
        status=SagaState.COMPENSATION_FAILED,
        failed_step=failed.name if failed else None,
        error_type=failed.error_type if failed else None,
        error_message=failed.error_message if failed else status.cancel_reason,
    )


def result_from_status(account: SagaStatus, /, **why: Any) -> OrderResult:
    """An outcome told by the saga's status where its run gives no result (cancelled, or
    waiting for a person): the same facts and undos a result carries."""
    carried = set(OrderFacts.model_fields) | {
        "compensations_run",
        "compensations_skipped",
        "undone",
        "compensation_failures",
        "resolution",
        "interventions",
    }
    return OrderResult(**account.model_dump(include=carried), **why)


async def waits_for_person(handle: WorkflowHandle[Any, Any]) -> bool:
    """True once the saga's history records it waiting for a person; False if it closes
    first. Read with the history's long poll: no query, no polling."""
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.event_type != EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            continue
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        state = fields.indexed_fields.get(ORDER_STATUS.name)
        if (
            state is not None
            and PayloadConverter.default.from_payload(state) == "COMPENSATION_FAILED"
        ):
            return True
    return False


async def wait_for_end(handle: WorkflowHandle[Any, Any]) -> None:
    """Wait for a saga to close (a cancelled one closes as a cancelled workflow, no result),
    or to wait for a person: an undo that failed keeps it open until someone settles it."""

    async def closed() -> None:
        with contextlib.suppress(WorkflowFailureError):
            await handle.result()

    async def needs_person() -> None:
        if not await waits_for_person(handle):
            await asyncio.Event().wait()  # it closed first: `closed` ends the wait

    tasks = {asyncio.create_task(closed()), asyncio.create_task(needs_person())}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # an error reaching Temporal is the caller's to see
    finally:
        for task in tasks:
            task.cancel()
