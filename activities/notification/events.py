"""Order events as other services receive them: the types, the envelope, and the activity
messages that find the subscribers and deliver to one of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from activities.messages import Strict

OrderEventType = Literal[
    "order.started",  # the stock is reserved: the order is this saga's
    "payment.authorized",  # the bank holds the money (after 3-D Secure, if asked)
    "payment.failed",  # declined, not authenticated, or not captured
    "order.completed",  # with the carrier, money taken
    "order.compensated",  # a step failed; what was done is undone
    "order.cancelled",  # undone on request
    "order.expired",  # undone: not shipped by its deadline
    "order.needs_attention",  # an undo failed for good: waiting for a person
    "order.resolved",  # a person settled it by hand
    "order.disputed",  # after the sale: the bank disputes the charge (evidence due by...)
    "order.dispute_closed",  # the bank closed the dispute: won (funds back) or lost
]
EVENT_TYPES: tuple[OrderEventType, ...] = (
    "order.started",
    "payment.authorized",
    "payment.failed",
    "order.completed",
    "order.compensated",
    "order.cancelled",
    "order.expired",
    "order.needs_attention",
    "order.resolved",
    "order.disputed",
    "order.dispute_closed",
)


class OrderEvent(Strict):
    """What a subscriber receives, as JSON: `id` is unique per order and event (de-duplicate
    on it), `sequence` orders one order's events (numbered as they reach the delivery)."""

    id: str
    type: OrderEventType
    created: datetime
    order_id: str
    sequence: int
    data: dict[str, Any]


# The lookup of an order's subscribers, and the saga's hand-over of its events and mails, by
# name: readers of its history tell them from the steps.
FIND_SUBSCRIBERS_ACTIVITY = "find_subscribers"
HAND_OVER_ACTIVITY = "hand_over"
NOT_STEPS = frozenset({FIND_SUBSCRIBERS_ACTIVITY, HAND_OVER_ACTIVITY})

# The delivery workflow of one order's events, and what it is sent.
DELIVERY_WORKFLOW = "DeliverOrderEvents"
EVENT_SIGNAL = "order_event"
DONE_SIGNAL = "order_done"


class FindSubscribersInput(Strict):
    order_id: str


class Subscribers(Strict):
    """The subscribers an order's events go to: those registered when it started."""

    ids: list[int]


class EventDeliveryInput(Strict):
    """The start of one order's event delivery: to these subscribers, all of them; after what
    an earlier run of it delivered (the ids, in order), if one closed before an event came."""

    order_id: str
    subscriber_ids: list[int]
    delivered: list[str] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _as_the_previous_build_reads_it(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Without `delivered` while it is empty: a saga's hand-over starts the delivery on
        the deployment's current version, which may be the previous build, whose input
        refuses a field it does not know."""
        data = handler(self)
        if not self.delivered:
            data.pop("delivered", None)
        return data


class EventsDelivered(Strict):
    order_id: str
    events: int
    delivered: int  # deliveries a subscriber took
    failed: int  # deliveries given up on after three days
    ids: list[str] = Field(default_factory=list)  # every event's, this run's and before, in order


class DeliverEventInput(Strict):
    subscriber_id: int
    event: OrderEvent


class Delivery(Strict):
    subscriber_id: int
    event_id: str
    delivered: bool  # False: the subscriber was removed, or no longer takes this type
    status: int | None = None
