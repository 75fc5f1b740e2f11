"""The saga tells others without a workflow task of its own: its events and mails are handed
over by a local activity of its worker (one marker each time), never as children or signals;
a hand-over retried hands each event and mail once; one that fails for good costs the order
its events and mail, never the order."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.notification.contracts import OrderMail, mail_workflow_id
from activities.notification.events import (
    HAND_OVER_ACTIVITY,
    DeliverEventInput,
    Delivery,
    OrderEvent,
    OrderEventType,
)
from activities.notification.hand_over import HandedOver, HandOverActivities, HandOverInput
from activities.queues import queue
from order_saga.client import order_result
from tests.helpers import order, orders_queue
from tests.waits import until_closed
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.event_delivery import DeliverOrderEvents
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement

EMAIL = "jane.doe@example.com"
HANDED_IN_HISTORY = {
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
}


async def run(
    env: WorkflowEnvironment, prefix: str, stubs: Stubs, request: OrderRequest, placement: Placement
) -> tuple[Any, list[HistoryEvent]]:
    """Run the order to its end, and what it handed over to theirs; its history."""
    async with stub_worker(env, prefix, stubs, placement=placement):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(prefix)
        )
        result = await order_result(handle)
        if stubs.subscribers:
            await until_closed(env.client.get_workflow_handle(f"{handle.id}-events"))
        if request.customer_email is not None:
            await until_closed(
                env.client.get_workflow_handle(mail_workflow_id(handle.id, "confirmed"))
            )
        return result, [event async for event in handle.fetch_history_events()]


def tasks(history: list[HistoryEvent]) -> int:
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in history)


async def test_a_told_order_costs_no_more_workflow_tasks_than_a_silent_one(
    env: WorkflowEnvironment, placement: Placement
) -> None:
    told, silent = Stubs(), Stubs()
    told.subscribers = [1]
    told_order = order(("prod-456", 1, "19.99")).model_copy(update={"customer_email": EMAIL})
    result, told_history = await run(env, "hand-a", told, told_order, placement)
    _, silent_history = await run(env, "hand-b", silent, order(("prod-456", 1, "19.99")), placement)

    assert result.status == SagaState.COMPLETED
    assert [e.type for e in told.events] == [
        "order.started",
        "payment.authorized",
        "order.completed",
    ]
    assert [m.kind for m in told.mails] == ["confirmed"]
    assert not [e for e in told_history if e.event_type in HANDED_IN_HISTORY]
    assert tasks(told_history) == tasks(silent_history)
    # Three events, the end of them and a mail in three markers; the silent order's one lookup.
    assert len(told_history) == len(silent_history) + 2


async def test_a_retried_hand_over_starts_one_delivery_and_one_mail(
    env: WorkflowEnvironment,
) -> None:
    async def subscribers() -> list[int]:
        return [7]

    saga_id = f"order-t-{datetime.now(UTC).timestamp()}"
    event = OrderEvent(
        id=f"evt_{saga_id}_1",
        type="order.started",
        created=datetime.now(UTC),
        order_id="o-1",
        sequence=1,
        data={},
    )
    mail = OrderMail(
        order_id="o-1",
        saga_id=saga_id,
        kind="confirmed",
        to=EMAIL,
        customer_id="c-1",
        lines=[],
        total=Decimal("1.00"),
        currency="usd",
    )
    request = HandOverInput(saga_id=saga_id, order_id="o-1", events=[event], mail=mail)
    hand_over = HandOverActivities(env.client, subscribers).hand_over
    first = await ActivityEnvironment().run(hand_over, request)
    again = await ActivityEnvironment().run(hand_over, request)  # its answer was lost

    assert first == HandedOver(subscriber_ids=[7], mail_started=True)
    assert again == HandedOver(subscriber_ids=[7], mail_started=False)
    delivery = env.client.get_workflow_handle(f"{saga_id}-events")
    signals = [
        e
        async for e in delivery.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    assert len(signals) == 2  # one run, the event twice under one id (de-duplicated there)
    for started in (
        delivery,
        env.client.get_workflow_handle(mail_workflow_id(saga_id, "confirmed")),
    ):
        await started.terminate("the test's own")  # no worker polls the test's queue


def at(queue: str) -> ActivityEnvironment:
    """A local activity's environment in the saga's worker, on `queue`."""
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(environment.info, task_queue=queue, is_local=True)
    return environment


def event_of(saga_id: str, kind: OrderEventType) -> OrderEvent:
    return OrderEvent(
        id=f"evt_{saga_id}_{kind}",
        type=kind,
        created=datetime.now(UTC),
        order_id="o-1",
        sequence=0,
        data={},
    )


async def test_a_hand_over_rerun_after_the_delivery_closed_sends_only_what_is_new(
    env: WorkflowEnvironment,
) -> None:
    """A colocated saga's worker killed after a hand-over but before its marker was written
    re-runs it, and may take another path from there (a cancel came in): what was delivered
    is not sent again, what is new follows it, numbered after it."""
    taken: list[tuple[str, int]] = []

    @activity.defn(name="deliver_order_event")
    async def deliver(request: DeliverEventInput) -> Delivery:
        taken.append((request.event.type, request.event.sequence))
        return Delivery(subscriber_id=7, event_id=request.event.id, delivered=True)

    async def subscribers() -> list[int]:
        return [7]

    saga_id = f"order-t-{uuid.uuid4().hex[:12]}"
    hand_over = HandOverActivities(env.client, subscribers).hand_over
    orders = orders_queue("rerun")
    delivery = env.client.get_workflow_handle(f"{saga_id}-events")

    async def hand(kind: OrderEventType, *, done: bool = False) -> None:
        request = HandOverInput(
            saga_id=saga_id, order_id="o-1", subscriber_ids=[7], events=[event_of(saga_id, kind)]
        )
        await at(orders).run(hand_over, request.model_copy(update={"done": done}))

    async with (
        Worker(env.client, task_queue=orders, workflows=[DeliverOrderEvents]),
        Worker(env.client, task_queue=queue("rerun", "notification"), activities=[deliver]),
    ):
        await hand("order.started")
        await hand("order.completed", done=True)
        await delivery.result()
        first = (await delivery.describe()).run_id
        await hand("order.started")  # re-run: delivered already, nothing to send
        await hand("order.cancelled", done=True)  # the path the saga took this time
        await delivery.result()

        second = (await delivery.describe()).run_id

    assert taken == [("order.started", 1), ("order.completed", 2), ("order.cancelled", 3)]
    assert second != first  # what was new went in a run of its own


@activity.defn(name=HAND_OVER_ACTIVITY)
async def unreachable(request: HandOverInput) -> HandedOver:
    raise ApplicationError("Temporal unreachable", non_retryable=True)


@pytest.mark.parametrize("placement", ["per-service", "colocated"])
async def test_a_hand_over_that_fails_for_good_costs_the_order_nothing(
    env: WorkflowEnvironment, placement: Placement
) -> None:
    stubs = Stubs()
    stubs.subscribers = [1]
    request = order(("prod-456", 1, "19.99")).model_copy(update={"customer_email": EMAIL})
    overrides = [*stubs.activities(), unreachable]
    async with stub_worker(env, "hand-c", stubs, activities=overrides, placement=placement):
        handle: WorkflowHandle[Any, Any] = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue("hand-c")
        )
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    assert stubs.events == [] and stubs.mails == []
    assert stubs.calls["capture_payment"] == 1  # the money moved as for any order
