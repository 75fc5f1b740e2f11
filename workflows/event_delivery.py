"""The delivery of one order's events to its subscribers, in a workflow of its own.

The saga's hand-over (a local activity, activities/notification/hand_over.py) starts it with
the order's first event and the subscribers registered then, and signals it each later one
(a dispute starts it as its child and signals it the same). Each subscriber has its own
loop: events go to it one at a time, in the order they happened, each retried until it is
taken (three days at most; then it is counted and the next one goes). A subscriber that is
down holds up only itself. The workflow ends once the saga said it is done and every
subscriber has had every event.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.notification.events import (
        DELIVERY_WORKFLOW,
        DONE_SIGNAL,
        EVENT_SIGNAL,
        DeliverEventInput,
        EventDeliveryInput,
        EventsDelivered,
        OrderEvent,
    )
    from activities.notification.webhook_activities import DELIVER_ORDER_EVENT
    from workflows import saga_metrics


@workflow.defn(name=DELIVERY_WORKFLOW)
class DeliverOrderEvents:
    @workflow.init
    def __init__(self, request: EventDeliveryInput) -> None:
        self._earlier = list(request.delivered)  # an earlier run's, in its order
        self._events: list[OrderEvent] = []
        self._done = False
        self._delivered = 0
        self._failed = 0

    @workflow.signal(name=EVENT_SIGNAL)
    def event(self, event: OrderEvent) -> None:
        """One more event of the order, numbered in the order events arrive, after an earlier
        run's (a repeated one, by id, is ignored)."""
        if event.id in self._earlier or any(known.id == event.id for known in self._events):
            return
        sequence = len(self._earlier) + len(self._events) + 1
        self._events.append(event.model_copy(update={"sequence": sequence}))

    @workflow.signal(name=DONE_SIGNAL)
    def done(self) -> None:
        """The saga sends no more events."""
        self._done = True

    @workflow.run
    async def run(self, request: EventDeliveryInput) -> EventsDelivered:
        """Deliver every event to every subscriber, each subscriber on its own."""
        await asyncio.gather(*(self._deliver_to(s, request) for s in request.subscriber_ids))
        await workflow.wait_condition(workflow.all_handlers_finished)
        return EventsDelivered(
            order_id=request.order_id,
            events=len(self._events),
            delivered=self._delivered,
            failed=self._failed,
            ids=[*self._earlier, *(event.id for event in self._events)],
        )

    async def _deliver_to(self, subscriber_id: int, request: EventDeliveryInput) -> None:
        sent = 0
        while True:
            await workflow.wait_condition(
                lambda sent=sent: len(self._events) > sent or self._done  # type: ignore[misc]
            )
            if sent == len(self._events):
                return  # done, and this subscriber has had everything
            event = self._events[sent]
            try:
                delivery = await DELIVER_ORDER_EVENT.execute(
                    DeliverEventInput(subscriber_id=subscriber_id, event=event),
                    summary=f"{event.type} to subscriber {subscriber_id}",
                )
                self._delivered += delivery.delivered
            except ActivityError as err:
                self._failed += 1
                workflow.logger.warning(
                    "order %s: %s not delivered to subscriber %s: %s",
                    request.order_id,
                    event.id,
                    subscriber_id,
                    err.cause,
                )
                saga_metrics.count(saga_metrics.WEBHOOK_FAILURES)
            sent += 1
