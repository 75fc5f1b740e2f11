"""What a benchmark cell needs before its processes run: a free port, a database migrated and
seeded with stock no run uses up, and the wait for a process to listen."""

from __future__ import annotations

import asyncio
import os
import socket

from sqlalchemy import update

from activities.database import transaction
from activities.inventory.tables import Product
from order_saga.db.engine import make_engine
from order_saga.embedded.stack import prepare_database

# Each in-process kind's own connection pool (and overflow as large): eight processes of a
# PostgreSQL cell at the engine's default 10 would ask for more than its 100 connections.
POOL_VARIABLE = "BENCH_POOL_SIZE"


def pool_size() -> int:
    """The pool an in-process kind's engine takes (the worker's default, 10, unless set)."""
    return int(os.environ.get(POOL_VARIABLE, "10"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(database_url: str) -> None:
    """Migrate, seed the demo catalogue and give it stock no run uses up."""
    engine = make_engine(database_url)
    prepare_database(engine)
    with transaction(engine) as session:
        session.exec(update(Product).values(stock=1_000_000_000))  # type: ignore[call-overload]
    engine.dispose()


async def wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if process.returncode is not None:
            raise RuntimeError(f"a benchmark process exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        await asyncio.sleep(0.05)  # polling a starting server, bounded
    raise RuntimeError(f"nothing listens on {port}")
