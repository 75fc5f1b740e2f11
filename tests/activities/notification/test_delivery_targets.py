"""A delivery goes only where the deployment allows: a subscriber whose URL leads to this
machine (its name re-pointed after registration, say) is refused for good and sent nothing,
unless the deployment allows private targets (WEBHOOK_ALLOW_PRIVATE_TARGETS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import DeliverEventInput
from activities.notification.targets import TargetPolicy
from activities.notification.webhook_activities import WebhookActivities
from order_saga.subscriptions import sample_event
from testkit.subscriber import Subscriber, serve_subscriber


@pytest.fixture
def removed_after(db: Engine) -> Iterator[list[int]]:
    """Subscribers added by the test, removed after it (another test's orders would go there)."""
    ids: list[int] = []
    yield ids
    with transaction(db) as session:
        for subscriber_id in ids:
            subscribers.remove(session=session, subscriber_id=subscriber_id)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_subscriber_on_this_machine_is_sent_nothing_unless_allowed(
    db: Engine, removed_after: list[int], host: str
) -> None:
    hook = Subscriber(secret="whsec_delivery")
    async with serve_subscriber(hook) as url:
        url = url.replace("127.0.0.1", host)
        with transaction(db) as session:
            row = subscribers.add(
                session=session, url=url, events=["order.completed"], secret=hook.secret
            )
        assert row.id is not None
        removed_after.append(row.id)
        delivery = DeliverEventInput(subscriber_id=row.id, event=sample_event())
        with pytest.raises(ApplicationError) as refused:
            await ActivityEnvironment().run(WebhookActivities(db).deliver_order_event, delivery)
        assert (refused.value.type, refused.value.non_retryable) == ("SubscriberForbidden", True)
        assert hook.received == []
        allowed = WebhookActivities(db, policy=TargetPolicy(allow_private=True))
        sent = await ActivityEnvironment().run(allowed.deliver_order_event, delivery)
    assert sent.delivered and len(hook.received) == 1
