"""What the saga tells others: its order events (to the subscribers registered when its first
event happened) and its customer's mails. Each point hands them over with one local activity
in the saga's own worker, which starts or signals the workflows that deliver them
(activities/notification/hand_over.py): one marker in the history, inside a workflow task
the saga runs anyway. An order nobody subscribes to hands over nothing after its first event;
one without an address sends no mail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError

from activities.notification.contracts import OrderMail, mail_label
from activities.notification.events import OrderEvent, OrderEventType
from activities.notification.hand_over import HAND_OVER, HandOverInput
from workflows import saga_metrics

Event = tuple[OrderEventType, dict[str, Any]]


class OrderOutbox:
    def __init__(self) -> None:
        self._order_id = ""
        self._deadline = timedelta(0)
        self._subscribers: list[int] | None = None  # None: not looked up yet

    def begin(self, order_id: str, *, deadline: timedelta) -> None:
        """The order's id, and how long a hand-over may retry (the order's step deadline)."""
        self._order_id = order_id
        self._deadline = deadline

    async def emit(self, event_type: OrderEventType, **data: Any) -> None:
        """Hand one event to the order's subscribers."""
        await self.hand_over((event_type, data))

    async def tell(self, mail: OrderMail) -> None:
        """Hand a mail to its own workflow."""
        await self.hand_over(mail=mail)

    async def close(self, last: Event | None = None, mail: OrderMail | None = None) -> None:
        """The saga's last event (no more after it) and its closing mail, in one hand-over."""
        await self.hand_over(last, mail=mail, done=True)

    async def hand_over(
        self, event: Event | None = None, *, mail: OrderMail | None = None, done: bool = False
    ) -> None:
        """Hand over whatever of it has someone to go to. One that fails for good (Temporal or
        the database unreachable for the whole deadline) costs the order that event or mail,
        counted and logged, never the order."""
        events = [self._event(*event)] if event is not None and self._subscribers != [] else []
        done = done and bool(events or self._subscribers)  # a delivery was started
        if not events and not done and mail is None:
            return
        told = [e.type for e in events] + (["done"] if done else [])
        summary = "; ".join([*told, *([mail_label(mail)] if mail is not None else [])])
        try:
            handed = await HAND_OVER.execute(
                HandOverInput(
                    saga_id=workflow.info().workflow_id,
                    order_id=self._order_id,
                    subscriber_ids=self._subscribers,
                    events=events,
                    done=done,
                    mail=mail,
                ),
                summary=f"hand over: {summary}",
                local=True,  # in both placements: Temporal holds it once the marker is written
                deadline=self._deadline,
            )
        except FailureError as err:
            cause = err.cause if isinstance(err, ActivityError) else err
            workflow.logger.error(
                "order %s: not handed over (%s): %s", self._order_id, summary, cause
            )
            if events:
                saga_metrics.count(saga_metrics.WEBHOOK_FAILURES)
            if mail is not None:
                saga_metrics.count(saga_metrics.NOTIFICATION_FAILURES, kind=mail.kind)
            return
        if handed.subscriber_ids is not None:
            self._subscribers = handed.subscriber_ids

    def _event(self, event_type: OrderEventType, data: dict[str, Any]) -> OrderEvent:
        """Its id is the order's and the type's (each happens once per order), so a hand-over
        whose marker a killed worker never wrote, re-run on a path the saga then took, sends no
        other event under it. Its sequence is the delivery's to give, as events reach it."""
        return event_now(self._order_id, event_type, data, key=event_type, sequence=0)


def event_now(
    order_id: str, event_type: OrderEventType, data: dict[str, Any], *, key: str, sequence: int
) -> OrderEvent:
    """An event of this workflow's order, as of now; its id `evt_<workflow id>_<key>`."""
    return OrderEvent(
        id=f"evt_{workflow.info().workflow_id}_{key}",
        type=event_type,
        created=workflow.now(),
        order_id=order_id,
        sequence=sequence,
        data=data,
    )
