"""The database a management command works on: DATABASE_URL, its schema brought up to date
first (the command may be the first thing run against a new database)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from order_saga.settings import Settings


@contextmanager
def migrated_engine() -> Iterator[Engine]:
    """A one-connection engine on DATABASE_URL, migrated; disposed of afterwards."""
    from order_saga.db.engine import make_engine
    from order_saga.db.migrate import upgrade

    engine = make_engine(Settings().database_url, pool_size=1)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def migrated_session() -> Iterator[Session]:
    """One transaction on DATABASE_URL, its schema brought up to date first."""
    from activities.database import transaction

    with migrated_engine() as engine, transaction(engine) as session:
        yield session
