"""The services' unit of work: one transaction a block, on the engine their worker built."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

# The execution option that tells the engine's SQLite begin hook the unit of work only reads.
READS_ONLY = "reads_only"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back when it raises."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A unit of work that only reads. On SQLite it takes no write lock, so it never queues
    behind the steps' writes (WAL readers see the last commit); elsewhere it is a
    transaction like any other."""
    with transaction(engine.execution_options(**{READS_ONLY: True})) as session:
        yield session
