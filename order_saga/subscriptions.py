"""Order-event subscribers as an operator manages them (the CLI's `webhooks` and the API's
`/api/webhooks` both call this): registered with their URL and event types, listed,
removed, and sent a signed sample so an integrator can check their verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from sqlalchemy import Engine

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import EVENT_TYPES, OrderEvent
from activities.notification.signing import new_secret
from activities.notification.targets import TargetPolicy, TargetRefused
from activities.notification.webhook_activities import post_event


class SubscriptionError(ValueError):
    """Bad input, with the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    events: list[str]
    created_at: datetime
    removed_at: datetime | None = None
    secret: str | None = None  # shown once, when it is created


def checked_url(url: str, policy: TargetPolicy) -> str:
    """An http(s) URL with a host, short enough to store, that resolves where events may
    go (checked again at every delivery)."""
    if len(url) > 2000:
        raise SubscriptionError("url", "must be at most 2000 characters")
    try:
        return policy.check_resolved(url)
    except TargetRefused as err:
        raise SubscriptionError("url", str(err)) from err


def checked_events(events: list[str]) -> list[str]:
    """Known event types, each once, in the documented order; `*` means every type."""
    wanted = {e.strip() for e in events if e.strip()}
    if "*" in wanted:
        return list(EVENT_TYPES)
    unknown = sorted(wanted - set(EVENT_TYPES))
    if unknown or not wanted:
        known = ", ".join(EVENT_TYPES)
        raise SubscriptionError(
            "events", f"unknown {', '.join(unknown) or 'none given'}; known: {known}"
        )
    return [e for e in EVENT_TYPES if e in wanted]


def _shown(row: subscribers.WebhookSubscriber, secret: str | None = None) -> Subscription:
    assert row.id is not None
    return Subscription(
        id=row.id,
        url=row.url,
        events=row.event_types,
        created_at=row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC),
        removed_at=row.removed_at,
        secret=secret,
    )


def subscribe(engine: Engine, url: str, events: list[str], policy: TargetPolicy) -> Subscription:
    """Register a subscriber; its secret is in the answer (and stored, to sign with)."""
    events = checked_events(events)
    url = checked_url(url, policy)
    secret = new_secret()
    with transaction(engine) as session:
        row = subscribers.add(session=session, url=url, events=events, secret=secret)
        return _shown(row, secret)


def listed(engine: Engine) -> list[Subscription]:
    """Active subscribers, oldest first (no secrets)."""
    with transaction(engine) as session:
        return [_shown(row) for row in subscribers.active(session=session)]


def unsubscribe(engine: Engine, subscriber_id: int) -> bool:
    """Stop sending to it; False if there is no such active subscriber."""
    with transaction(engine) as session:
        return subscribers.remove(session=session, subscriber_id=subscriber_id)


def target_of(engine: Engine, subscriber_id: int) -> tuple[str, str] | None:
    """The URL and secret of an active subscriber."""
    with transaction(engine) as session:
        row = subscribers.find(session=session, subscriber_id=subscriber_id)
        if row is None or row.removed_at is not None:
            return None
        return row.url, row.secret


def secret_of(engine: Engine, url: str) -> str | None:
    """The secret of the active subscriber at `url`, if one is registered there."""
    with transaction(engine) as session:
        for row in subscribers.active(session=session):
            if row.url == url:
                return row.secret
    return None


def sample_event() -> OrderEvent:
    """What `webhooks test` sends: an order.completed of an order that never was."""
    return OrderEvent(
        id="evt_test_order_completed",
        type="order.completed",
        created=datetime.now(UTC),
        order_id="o-test",
        sequence=1,
        data={"status": "COMPLETED", "total": "19.99", "currency": "usd", "test": True},
    )


async def send_sample(url: str, secret: str, policy: TargetPolicy) -> bool:
    """Send the signed sample; whether it was delivered (a 2xx answer). Every other outcome
    (a refused target, no connection, any other status) is the same False: the answer never
    tells what is at an address."""
    try:
        status = await post_event(url, secret, sample_event(), policy=policy)
    except (TargetRefused, aiohttp.ClientError, OSError, TimeoutError):
        return False
    return 200 <= status < 300
