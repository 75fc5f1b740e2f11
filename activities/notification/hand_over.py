"""The saga's outbox, handed to Temporal from the saga's own worker: one local activity starts
(or signals) the workflows that deliver an order's events and send its mails.

In the saga's history a hand-over is one marker, inside a workflow task it runs anyway; a
child workflow or a signal to one cost two events and a workflow task of three more each.
What is handed over is as durable as before: the activity returns only once Temporal holds
it (the delivery's signal, the mail's workflow), a retry hands the same ids again (events are
de-duplicated by id, a mail's workflow is started once), and the marker keeps a replay from
handing anything twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

from pydantic import Field
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.activity_call import ActivityCall
from activities.messages import Strict
from activities.notification.contracts import (
    MAIL_WORKFLOW,
    OrderMail,
    mail_label,
    mail_workflow_id,
)
from activities.notification.events import (
    DELIVERY_WORKFLOW,
    DONE_SIGNAL,
    EVENT_SIGNAL,
    HAND_OVER_ACTIVITY,
    EventDeliveryInput,
    EventsDelivered,
    OrderEvent,
)
from activities.retries import step_retry

REJECT_DUPLICATE = WorkflowIDReusePolicy.REJECT_DUPLICATE
ALLOW_DUPLICATE = WorkflowIDReusePolicy.ALLOW_DUPLICATE


class HandOverInput(Strict):
    """Events (in order) and a mail of one order. `subscriber_ids` None: the order's first
    events, whose subscribers this call looks up."""

    saga_id: str
    order_id: str
    subscriber_ids: list[int] | None = None
    events: list[OrderEvent] = Field(default_factory=list)
    done: bool = False  # the saga sends no more events
    mail: OrderMail | None = None


class HandedOver(Strict):
    subscriber_ids: list[int] | None  # the order's subscribers, once known
    mail_started: bool = False  # False: no mail, or its workflow was started before


class HandOverActivities:
    def __init__(self, client: Client, subscribers: Callable[[], Awaitable[list[int]]]) -> None:
        """`subscribers`: the active subscribers' ids (`ActiveSubscribers.ids`)."""
        self._client = client
        self._subscribers = subscribers

    @activity.defn(name=HAND_OVER_ACTIVITY)
    async def hand_over(self, request: HandOverInput) -> HandedOver:
        """Events to the order's delivery workflow (started with the first), then the mail's
        workflow; both on the saga's own queue, as its children ran."""
        ids = request.subscriber_ids
        if ids is None and request.events:
            ids = await self._subscribers()
        queue = activity.info().task_queue
        if ids:
            await self._deliver(request, ids, queue)
        started = False
        if request.mail is not None:
            started = await self._send(request.mail, queue)
        return HandedOver(subscriber_ids=ids, mail_started=started)

    async def _deliver(self, request: HandOverInput, ids: list[int], queue: str) -> None:
        delivery_id = f"{request.saga_id}-events"
        handle: WorkflowHandle[Any, Any] = self._client.get_workflow_handle(delivery_id)
        events = request.events
        if events:
            start = EventDeliveryInput(order_id=request.order_id, subscriber_ids=ids)
            try:  # the delivery running (or none yet): the event is signalled (or starts it)
                handle = await self._start(start, delivery_id, queue, events[0], REJECT_DUPLICATE)
            except WorkflowAlreadyStartedError:
                # It closed: a hand-over re-run after the saga said it was done (its worker
                # killed before the marker was written, or a reset). What this order's
                # subscribers have not had goes in a new run, numbered after the last.
                delivered = await self._delivered(delivery_id)
                events = [event for event in events if event.id not in delivered]
                if events:
                    start = start.model_copy(update={"delivered": delivered})
                    handle = await self._start(
                        start, delivery_id, queue, events[0], ALLOW_DUPLICATE
                    )
            for event in events[1:]:
                await handle.signal(EVENT_SIGNAL, event)
        if request.done:
            try:
                await handle.signal(DONE_SIGNAL)
            except RPCError as err:  # closed already (a reset saga's): nothing left to end
                if err.status != RPCStatusCode.NOT_FOUND:
                    raise

    async def _delivered(self, delivery_id: str) -> list[str]:
        """The ids a closed delivery delivered (none known if an operator ended it)."""
        try:
            earlier = await self._client.get_workflow_handle(delivery_id).result()
        except WorkflowFailureError:
            return []
        return EventsDelivered.model_validate(earlier).ids

    async def _start(
        self,
        start: EventDeliveryInput,
        delivery_id: str,
        queue: str,
        first: OrderEvent,
        reuse: WorkflowIDReusePolicy,
    ) -> WorkflowHandle[Any, Any]:
        return await self._client.start_workflow(
            DELIVERY_WORKFLOW,
            start,
            id=delivery_id,
            task_queue=queue,
            id_reuse_policy=reuse,
            start_signal=EVENT_SIGNAL,
            start_signal_args=[first],
            static_summary=f"deliver the events of order {start.order_id}",
        )

    async def _send(self, mail: OrderMail, queue: str) -> bool:
        """Start the mail's workflow, once: not again after it closed, unless it failed (a
        reset of the saga that runs past it again sends nothing)."""
        try:
            await self._client.start_workflow(
                MAIL_WORKFLOW,
                mail,
                id=mail_workflow_id(mail.saga_id, mail.kind),
                task_queue=queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                static_summary=mail_label(mail),
            )
        except WorkflowAlreadyStartedError:
            return False
        return True


# Typed by what the awaited coroutine returns (see SEND_ORDER_MAIL).
HAND_OVER = ActivityCall[HandOverInput, HandedOver](
    cast(Callable[[Any, HandOverInput], HandedOver], HandOverActivities.hand_over),
    service="orders",
    start_to_close_timeout=timedelta(seconds=10),
    retry_policy=step_retry(),
)
