"""Engine construction: the same code runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import create_engine

from activities.database import READS_ONLY


def normalise_url(url: str) -> str:
    """postgresql:// and postgres:// URLs are served by psycopg 3, not psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


EXPECTED_URLS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot name a database this service runs on; retrying cannot help."""


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Build an engine; SQLite gets WAL, a busy timeout and write-locking transactions."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise DatabaseUrlError(  # not echoed: it may hold a password
            f"DATABASE_URL is not a database URL; expected {EXPECTED_URLS}"
        ) from err
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(
            f"DATABASE_URL {parsed.render_as_string(hide_password=True)!r}: "
            f"expected {EXPECTED_URLS}"
        )
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False, "isolation_level": None}
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads, then writes, fails at once with "database is
    # locked" when another writer got there first; taking the write lock up front makes
    # SQLite wait (busy timeout) instead, so concurrent reservations queue, not fail.
    # A unit of work that only reads (activities.database.reading) needs no lock: WAL lets
    # it read.
    reads_only = connection.get_execution_options().get(READS_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def display_url(url: str) -> str:
    """The URL with its password masked, for printing."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
