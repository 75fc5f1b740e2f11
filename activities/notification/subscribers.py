"""The subscribers to order events: registered by an operator, each with its URL, the event
types it takes and the secret its deliveries are signed with (kept, as Stripe keeps its
endpoints' secrets: every delivery is signed with it)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from sqlalchemy import DateTime, Engine
from sqlmodel import Field, Session, SQLModel, col, select

from activities.database import reading
from activities.timestamps import timestamp, utcnow

# Every order asks who subscribes; the answer is read from the database at most this often
# per worker (most shops have none, or a few that rarely change): a subscriber added hears
# of the orders whose first event comes this long after, on every worker.
SUBSCRIBERS_FRESH_SECONDS = 5.0


class WebhookSubscriber(SQLModel, table=True):
    __tablename__ = "webhook_subscribers"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    events: str = Field(max_length=500)  # comma-separated event types
    secret: str = Field(max_length=100)
    created_at: datetime = timestamp()
    removed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    @property
    def event_types(self) -> list[str]:
        """The types it takes."""
        return self.events.split(",")


def add(*, session: Session, url: str, events: list[str], secret: str) -> WebhookSubscriber:
    """Register a subscriber; its id is known on return."""
    subscriber = WebhookSubscriber(url=url, events=",".join(events), secret=secret)
    session.add(subscriber)
    session.flush()
    return subscriber


def active(*, session: Session) -> list[WebhookSubscriber]:
    """Subscribers not removed, oldest first."""
    query = select(WebhookSubscriber).where(col(WebhookSubscriber.removed_at).is_(None))
    return list(session.exec(query.order_by(col(WebhookSubscriber.id))))


def find(*, session: Session, subscriber_id: int) -> WebhookSubscriber | None:
    """One subscriber, removed or not."""
    return session.get(WebhookSubscriber, subscriber_id)


def remove(*, session: Session, subscriber_id: int) -> bool:
    """Stop deliveries to it (kept, so the record says who was sent what); False if unknown
    or removed already."""
    subscriber = session.get(WebhookSubscriber, subscriber_id)
    if subscriber is None or subscriber.removed_at is not None:
        return False
    subscriber.removed_at = utcnow()
    session.add(subscriber)
    return True


class ActiveSubscribers:
    """The active subscribers' ids, as of `SUBSCRIBERS_FRESH_SECONDS` ago at most."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._known: tuple[float, list[int]] | None = None  # when read, and what

    async def ids(self) -> list[int]:
        """Every active subscriber, oldest first: an order's events go to all of them."""
        now = time.monotonic()
        if self._known is not None and now - self._known[0] < SUBSCRIBERS_FRESH_SECONDS:
            return list(self._known[1])

        def read() -> list[int]:
            with reading(self._engine) as session:
                return [s.id for s in active(session=session) if s.id is not None]

        ids = await asyncio.to_thread(read)
        self._known = (now, ids)
        return list(ids)
