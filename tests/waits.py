"""Waits for a saga to reach a point a test acts at: waiting for the carrier, captured
before pickup, waiting for a person, closed. Each polls with a deadline."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle
from temporalio.service import RPCError

from order_saga.client import OrderHandle, start_order
from tests.helpers import until
from workflows.order_request import OrderRequest
from workflows.order_state import STATUS_QUERY, SagaState, SagaStatus
from workflows.search_attributes import ORDER_STATUS


async def started_and_waiting(
    client: Client, requests: list[OrderRequest], queue_prefix: str, seconds: float = 60
) -> list[OrderHandle]:
    """Start the sagas and return once each waits for the carrier (its steps so far done).

    Read from `OrderStatus`, as the Web UI shows it: the server answers, not a worker."""
    handles = [await start_order(client, request, queue_prefix) for request in requests]

    async def waiting() -> bool:
        states = [(await h.describe()).typed_search_attributes.get(ORDER_STATUS) for h in handles]
        return all(s == SagaState.AWAITING_HANDOVER for s in states)

    await until(waiting, seconds=seconds)
    return handles


async def until_closed(handle: WorkflowHandle[Any, Any], seconds: float = 90) -> None:
    """Poll until the workflow has started and closed: for a child its saga abandoned, whose
    retries the time-skipping server does not skip through."""

    async def closed() -> bool:
        try:
            status = (await handle.describe()).status
        except RPCError:
            return False  # not started yet
        return status not in (None, WorkflowExecutionStatus.RUNNING)

    await until(closed, seconds=seconds)


async def captured_before_pickup(handle: WorkflowHandle[Any, Any]) -> SagaStatus:
    """The saga's status once it captured the payment and still waits for pickup (an order
    whose capture window is shorter than its wait): from here a cancel refunds."""
    found: list[SagaStatus] = []

    async def captured() -> bool:
        found[:] = [await handle.query(STATUS_QUERY, result_type=SagaStatus)]
        capture = next(s for s in found[0].steps if s.name == "capture_payment")
        return found[0].status == "AWAITING_HANDOVER" and capture.state == "DONE"

    await until(captured)
    return found[0]


def captured_then_waiting(request: OrderRequest) -> OrderRequest:
    """The order, captured a second in while its parcel waits an hour for pickup (a timer
    that short fires in real time: no time skipping, which a detached void can wedge)."""
    return request.model_copy(update={"handover_delay_seconds": 3600, "capture_window_seconds": 1})


async def waiting_for_person(handle: WorkflowHandle[Any, Any]) -> SagaStatus:
    """The saga's status once it waits for a person to settle a failed undo."""
    found: list[SagaStatus] = []

    async def waiting() -> bool:
        found[:] = [await handle.query(STATUS_QUERY, result_type=SagaStatus)]
        return found[0].waiting_for_person

    await until(waiting)
    return found[0]


async def cancelled(handle: WorkflowHandle[Any, Any]) -> SagaStatus:
    """The saga's status once it ended cancelled, as it was asked."""
    with pytest.raises(WorkflowFailureError):
        await handle.result()
    assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
    status: SagaStatus = await handle.query(STATUS_QUERY, result_type=SagaStatus)
    return status
