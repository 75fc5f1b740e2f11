"""The subscriber lookup every saga makes at its start: it reads, so it never waits behind a
step's write."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import FindSubscribersInput
from activities.notification.signing import new_secret
from activities.notification.webhook_activities import WebhookActivities


async def test_the_lookup_answers_while_a_step_holds_sqlites_write_lock(
    sqlite_engine: Engine,
) -> None:
    with transaction(sqlite_engine) as session:
        added = subscribers.add(
            session=session,
            url="http://127.0.0.1:9/hook",
            events=["order.completed"],
            secret=new_secret(),
        )
    lookup = WebhookActivities(sqlite_engine).find_subscribers
    try:
        # A step's transaction holds the write lock (BEGIN IMMEDIATE) while the lookup runs.
        with sqlite_engine.connect() as writer:
            writer.exec_driver_sql("UPDATE webhook_subscribers SET url = url")
            assert writer.in_transaction()
            async with asyncio.timeout(5):  # the busy timeout is 30 s: waiting would fail here
                found = await ActivityEnvironment().run(
                    lookup, FindSubscribersInput(order_id="o-1")
                )
            writer.rollback()
    finally:  # left behind, it would get the events of every later test's orders
        with transaction(sqlite_engine) as session:
            assert added.id is not None
            subscribers.remove(session=session, subscriber_id=added.id)
    assert added.id in found.ids
