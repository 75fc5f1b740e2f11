"""The subscriber lookup every saga makes with its first event: it reads, so it never waits behind a
step's write, and at most every few seconds per worker."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, event
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


async def test_orders_in_a_row_read_the_subscribers_once_while_fresh(
    sqlite_engine: Engine, monkeypatch
) -> None:
    """Each saga asks with its first event; the worker reads the table at most every few seconds."""
    reads: list[str] = []

    def count(conn, cursor, statement: str, *args: object) -> None:  # type: ignore[no-untyped-def]
        if "webhook_subscribers" in statement:
            reads.append(statement)

    clock = [1000.0]
    monkeypatch.setattr(subscribers.time, "monotonic", lambda: clock[0])
    lookup = WebhookActivities(sqlite_engine).find_subscribers
    ask = FindSubscribersInput(order_id="o-1")
    event.listen(sqlite_engine, "before_cursor_execute", count)
    try:
        first = await ActivityEnvironment().run(lookup, ask)
        with transaction(sqlite_engine) as session:
            added = subscribers.add(
                session=session, url="http://127.0.0.1:9/hook", events=[], secret=new_secret()
            )
        reads.clear()
        for _ in range(3):  # three orders within the freshness: no read
            assert await ActivityEnvironment().run(lookup, ask) == first
        assert reads == []
        clock[0] += subscribers.SUBSCRIBERS_FRESH_SECONDS
        later = await ActivityEnvironment().run(lookup, ask)
        assert added.id in later.ids and len(reads) == 1  # the new one, read once
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", count)
        with transaction(sqlite_engine) as session:
            assert added.id is not None
            subscribers.remove(session=session, subscriber_id=added.id)
