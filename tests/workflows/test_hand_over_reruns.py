"""A hand-over run twice hands each event and mail once: retried after its answer was lost,
or re-run after the order's delivery closed (a colocated worker killed before the marker was
written, the saga then taking another path), what was delivered is not sent again and what
is new follows it, numbered after it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.notification.contracts import OrderMail, mail_workflow_id
from activities.notification.events import DeliverEventInput, Delivery, OrderEvent, OrderEventType
from activities.notification.hand_over import HandedOver, HandOverActivities, HandOverInput
from activities.queues import queue
from tests.helpers import orders_queue
from workflows.event_delivery import DeliverOrderEvents

EMAIL = "jane.doe@example.com"


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
