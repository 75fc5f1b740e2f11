"""The business deadline's timer costs an order that ships in time one event per service, not
two, and none colocated: it is cancelled at the booking when that is free (in the task that
started it) or when the saga would still be waiting when it fires; otherwise the saga ends
first and the timer is dropped, and one that fires late changes nothing."""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from order_saga.client import order_result, retry_undos, start_order
from tests.helpers import order
from tests.waits import waiting_for_person
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from tests.workflows.test_resolution import rejected
from workflows.order_state import SagaState
from workflows.placement import Placement

STARTED, CANCELED, FIRED = (
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_TIMER_FIRED,
)


async def deadline_timer(handle: WorkflowHandle[object, object], seconds: int) -> list[int]:
    """What became of the deadline's timer: its events, in order (none: never recorded)."""
    history: list[HistoryEvent] = [e async for e in handle.fetch_history_events()]
    started = next(
        (
            e
            for e in history
            if e.event_type == STARTED
            and e.timer_started_event_attributes.start_to_fire_timeout.seconds == seconds
        ),
        None,
    )
    if started is None:
        return []
    timer_id = started.timer_started_event_attributes.timer_id
    return [started.event_type] + [
        e.event_type
        for e in history
        if (e.event_type == CANCELED and e.timer_canceled_event_attributes.timer_id == timer_id)
        or (e.event_type == FIRED and e.timer_fired_event_attributes.timer_id == timer_id)
    ]


async def test_an_order_that_ships_in_time_leaves_its_deadline_to_lapse(
    env: WorkflowEnvironment, queue_prefix: str, placement: Placement
) -> None:
    request = order(("prod-456", 1, "19.99"))  # the client's default deadline: 24 h
    async with stub_worker(env, queue_prefix, Stubs(), placement=placement):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    if placement == "colocated":  # booked in the task that started it: started and cancelled
        assert await deadline_timer(handle, 86400) == []  # in one command batch, never sent
    else:
        assert await deadline_timer(handle, 86400) == [STARTED]  # never cancelled nor fired


async def test_a_pickup_after_the_deadline_cancels_its_timer(
    env: WorkflowEnvironment, queue_prefix: str
) -> None:
    request = order(("prod-456", 1, "19.99")).model_copy(
        update={"deadline_seconds": 7200, "handover_delay_seconds": 3 * 3600}
    )
    async with stub_worker(env, queue_prefix, Stubs()):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)  # time skips past the deadline, to the pickup

    assert result.status == SagaState.COMPLETED
    assert await deadline_timer(handle, 7200) == [STARTED, CANCELED]


async def test_a_deadline_that_fires_after_the_booking_changes_nothing(
    env: WorkflowEnvironment, queue_prefix: str
) -> None:
    stubs, issuer, activities = rejected()  # the carrier refuses; the refund, until fixed
    request = order(("prod-456", 1, "19.99"), country="AQ").model_copy(
        update={"deadline_seconds": 7200}
    )
    async with stub_worker(env, queue_prefix, stubs, activities=activities):
        handle = await start_order(env.client, request, queue_prefix)
        await waiting_for_person(handle)
        await env.sleep(timedelta(hours=3))  # the deadline passes while a person is awaited
        still = await waiting_for_person(handle)
        issuer.fixed = True
        await retry_undos(env.client, request.order_id)
        result = await order_result(handle)

    assert still.status == SagaState.COMPENSATION_FAILED
    assert (result.status, result.error_type) == (SagaState.COMPENSATED, "ShipmentRejected")
    assert result.compensations_run == ["cancel_shipment", "release_inventory", "refund_payment"]
    assert issuer.refunds == 1
    assert await deadline_timer(handle, 7200) == [STARTED, FIRED]
