"""The subscribers to order events: registered by an operator, each with its URL, the event
types it takes and the secret its deliveries are signed with (kept, as Stripe keeps its
endpoints' secrets: every delivery is signed with it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, Session, SQLModel, col, select

from activities.timestamps import timestamp, utcnow


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
