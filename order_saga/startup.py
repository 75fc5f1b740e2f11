"""Start-up in any order: a worker started before Temporal or its database waits for them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

T = TypeVar("T")
log = logging.getLogger("order_saga.startup")
FIRST_DELAY, MAX_DELAY, LOG_EVERY = 0.5, 5.0, 5.0


async def keep_trying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    faults: tuple[type[BaseException], ...],
) -> T:
    """Retry `attempt` with capped backoff until it succeeds; say so every few seconds."""
    loop = asyncio.get_running_loop()
    delay, last_said = FIRST_DELAY, float("-inf")
    while True:
        try:
            return await attempt()
        except faults as err:
            if loop.time() - last_said >= LOG_EVERY:
                log.warning("waiting for %s: %s", what, str(err).splitlines()[0][:300])
                last_said = loop.time()
        await asyncio.sleep(delay)  # backing off before the next try, not waiting on a result
        delay = min(delay * 2, MAX_DELAY)


async def database_reachable(engine: Engine) -> None:
    """One round trip to the database, off the event loop."""

    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    await asyncio.to_thread(ping)


async def wait_for_database(engine: Engine, shown_as: str) -> None:
    """Return once the database answers."""
    await keep_trying(
        f"the database at {shown_as}", lambda: database_reachable(engine), (SQLAlchemyError,)
    )
