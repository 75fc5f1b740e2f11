"""The chaos run's harder faults: a dev server killed and restarted with its state on disk,
and the database going away for a while."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from order_saga.binaries import find_binary
from order_saga.db.engine import normalise_url
from order_saga.embedded.temporal_server import TUNING, search_attribute_flags
from testkit.tcp_proxy import TcpProxy


def dev_server(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """The tuned dev server with its state on disk, so a restart finds its sagas again."""
    args = ["server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port)]
    args += [*TUNING, *search_attribute_flags(), "--db-filename", str(workdir / "temporal.db")]
    log = (workdir / "temporal.log").open("ab")
    return subprocess.Popen([find_binary("temporal"), *args], stdout=log, stderr=log)


def behind_proxy(database_url: str) -> tuple[TcpProxy | None, str]:
    """PostgreSQL behind a started TCP proxy, and the URL through it (the workers'); SQLite
    as it is (its outage is a held lock)."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        return None, database_url
    proxy = TcpProxy(url.host or "", url.port or 5432)
    proxy.start()
    return proxy, url.set(port=proxy.port).render_as_string(hide_password=False)


async def outage(database_url: str, proxy: TcpProxy | None, seconds: float) -> None:
    """The database goes away: PostgreSQL's connections reset and refused, SQLite locked."""
    if proxy is not None:
        proxy.cut()
        await asyncio.sleep(seconds)  # the outage lasts this long
        proxy.restore()
        return
    path = make_url(normalise_url(database_url)).database or ""
    holder = sqlite3.connect(path, timeout=60, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    await asyncio.sleep(seconds)  # every writer waits, then fails with "database is locked"
    holder.execute("ROLLBACK")
    holder.close()
