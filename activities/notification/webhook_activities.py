"""The order-event activities: which subscribers an order's events go to, and one signed
delivery to one subscriber.

A delivery is retried (any answer but 2xx, a timeout, a refused connection) with backoff for
three days, as Stripe retries its own; a subscriber that is down delays only its own
deliveries. The subscriber's URL and secret are read at each attempt, so a rotated secret or
a moved endpoint takes effect at once, and a removed subscriber is sent nothing more.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import aiohttp
from sqlalchemy import Engine
from temporalio import activity
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.activity_call import ActivityCall
from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import (
    FIND_SUBSCRIBERS_ACTIVITY,
    DeliverEventInput,
    Delivery,
    FindSubscribersInput,
    OrderEvent,
    Subscribers,
)
from activities.notification.signing import SIGNATURE_HEADER, signature
from activities.notification.subscribers import ActiveSubscribers
from activities.notification.targets import TargetPolicy, TargetRefused
from activities.retries import step_retry

DELIVERY_TIMEOUT_SECONDS = 10.0
# 10 s, 20 s, 40 s... capped at an hour, for three days.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(hours=1),
    maximum_attempts=0,
)
DELIVERY_DEADLINE = timedelta(days=3)


def body_of(event: OrderEvent) -> bytes:
    """The raw body a subscriber receives (and verifies the signature over)."""
    return json.dumps(event.model_dump(mode="json"), separators=(",", ":")).encode()


async def post_event(
    url: str,
    secret: str,
    event: OrderEvent,
    *,
    policy: TargetPolicy,
    timeout: float = DELIVERY_TIMEOUT_SECONDS,
) -> int:
    """POST one signed event to where the policy allows; the subscriber's status code.
    Redirects are not followed (a subscriber that moved is updated by its operator, never
    by a Location header). Raises TargetRefused for a target the policy refuses."""
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
        "User-Agent": "order-saga-webhooks/1",
    }
    async with (
        aiohttp.ClientSession(
            connector=policy.connector(), timeout=aiohttp.ClientTimeout(total=timeout)
        ) as http,
        http.post(
            policy.check_url(url), data=body, headers=headers, allow_redirects=False
        ) as answer,
    ):
        return answer.status


class WebhookActivities:
    def __init__(
        self,
        engine: Engine,
        *,
        policy: TargetPolicy | None = None,
        timeout: float = DELIVERY_TIMEOUT_SECONDS,
        lookup: ActiveSubscribers | None = None,
    ) -> None:
        self._engine = engine
        self._policy = policy or TargetPolicy()
        self._timeout = timeout
        self._subscribers = lookup or ActiveSubscribers(engine)

    @activity.defn(name=FIND_SUBSCRIBERS_ACTIVITY)
    async def find_subscribers(self, request: FindSubscribersInput) -> Subscribers:
        """The subscribers registered now (as of `SUBSCRIBERS_FRESH_SECONDS` ago at most): a
        dispute's events go to these, all of them."""
        return Subscribers(ids=await self._subscribers.ids())

    @activity.defn(name="deliver_order_event")
    async def deliver_order_event(self, request: DeliverEventInput) -> Delivery:
        """POST the signed event; a 2xx answer is a delivery, anything else is retried."""
        event = request.event

        def read() -> tuple[str, str] | None:
            with transaction(self._engine) as session:
                found = subscribers.find(session=session, subscriber_id=request.subscriber_id)
                if found is None or found.removed_at is not None:
                    return None
                if event.type not in found.event_types:
                    return None
                return found.url, found.secret

        target = await asyncio.to_thread(read)
        skipped = Delivery(subscriber_id=request.subscriber_id, event_id=event.id, delivered=False)
        if target is None:
            return skipped
        url, secret = target
        try:
            status = await post_event(
                url, secret, event, policy=self._policy, timeout=self._timeout
            )
        except TargetRefused as err:  # its name now resolves somewhere events never go
            raise ApplicationError(
                f"subscriber {request.subscriber_id} refused as a target: {err}",
                type="SubscriberForbidden",
                non_retryable=True,
            ) from None
        except (aiohttp.ClientError, TimeoutError) as err:
            raise expected_wait(
                f"subscriber {request.subscriber_id} unreachable: {type(err).__name__}",
                "SubscriberUnreachable",
            ) from None
        if not 200 <= status < 300:
            raise expected_wait(
                f"subscriber {request.subscriber_id} answered {status}", "SubscriberRefused"
            )
        return skipped.model_copy(update={"delivered": True, "status": status})


def expected_wait(message: str, error_type: str) -> ApplicationError:
    """A delivery to try again later, as the docs say subscribers' outages are: one log line
    an attempt, and a failure the SDK logs without its traceback."""
    activity.logger.warning("%s (attempt %d); retried", message, activity.info().attempt)
    return ApplicationError(message, type=error_type, category=ApplicationErrorCategory.BENIGN)


# Typed by what the awaited coroutine returns (see SEND_ORDER_MAIL).
FIND_SUBSCRIBERS = ActivityCall[FindSubscribersInput, Subscribers](
    cast(Callable[[Any, FindSubscribersInput], Subscribers], WebhookActivities.find_subscribers),
    service="notification",
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=step_retry(),
)
DELIVER_ORDER_EVENT = ActivityCall[DeliverEventInput, Delivery](
    cast(Callable[[Any, DeliverEventInput], Delivery], WebhookActivities.deliver_order_event),
    service="notification",
    # The POST's own timeout and a row read: a worker killed mid-delivery is noticed soon.
    start_to_close_timeout=timedelta(seconds=3 * DELIVERY_TIMEOUT_SECONDS),
    retry_policy=DELIVERY_RETRY,
    schedule_to_close_timeout=DELIVERY_DEADLINE,
)
