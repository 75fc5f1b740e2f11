"""A dispute's side of order events: it asks who subscribes (nobody: no events, no cost
beyond that one lookup), starts its delivery workflow as a child, signals it each event, and
says when it is done. (The saga hands its own over in local activities: order_outbox.py; a
dispute moves to each new build, so its shape stays as its running ones recorded it.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError
from temporalio.workflow import ChildWorkflowHandle

from activities.notification.events import (
    EventDeliveryInput,
    EventsDelivered,
    FindSubscribersInput,
    OrderEventType,
)
from activities.notification.webhook_activities import FIND_SUBSCRIBERS
from workflows import saga_metrics
from workflows.detached import start_detached
from workflows.event_delivery import DeliverOrderEvents
from workflows.order_outbox import event_now
from workflows.retired_patches import ORDER_EVENTS, passed


class OrderEventStream:
    def __init__(self) -> None:
        self._delivery: ChildWorkflowHandle[DeliverOrderEvents, EventsDelivered] | None = None
        self._sent = 0
        self._order_id = ""

    async def open(self, order_id: str, *, deadline: timedelta) -> None:
        """Find the subscribers; with any, start the delivery of this order's events. The
        lookup retries to `deadline` (the order's step deadline); one that fails for good (the
        database, or per service the notification worker, gone that long) costs the order its
        events, counted and logged, never the order."""
        self._order_id = order_id
        passed(ORDER_EVENTS)
        try:
            found = await FIND_SUBSCRIBERS.execute(
                FindSubscribersInput(order_id=order_id),
                summary="find subscribers",
                local=True,  # in both placements: a short read needs no trip through a queue
                deadline=deadline,
            )
        except FailureError as err:
            cause = err.cause if isinstance(err, ActivityError) else err
            workflow.logger.error("order %s: no events sent: %s", order_id, cause)
            saga_metrics.count(saga_metrics.WEBHOOK_FAILURES)  # its events are missed
            return
        if not found.ids:
            return
        self._delivery = await start_detached(
            DeliverOrderEvents.run,
            EventDeliveryInput(order_id=order_id, subscriber_ids=found.ids),
            id=f"{workflow.info().workflow_id}-events",
            summary=f"deliver the events of order {order_id}",
        )

    async def emit(self, event_type: OrderEventType, **data: Any) -> None:
        """Hand one event to the delivery (nothing, without subscribers)."""
        if self._delivery is None:
            return
        self._sent += 1
        event = event_now(
            self._order_id, event_type, data, key=str(self._sent), sequence=self._sent
        )
        await self._delivery.signal(DeliverOrderEvents.event, event)

    async def close(self) -> None:
        """No more events from this saga."""
        if self._delivery is not None:
            await self._delivery.signal(DeliverOrderEvents.done)
