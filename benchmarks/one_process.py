"""One process's stack for the benchmarks that look inside a worker (its memory, its
workflow tasks): a fresh in-memory dev server, the local Stripe server beside it, a fresh
database, and a worker serving every service in this process."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from benchmarks.bench_setup import free_port, prepare, wait_for_port
from benchmarks.bench_stack import CLI
from order_saga.db.engine import make_engine
from order_saga.embedded.temporal_server import start_local_server
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from workflows.placement import Placement


@contextlib.asynccontextmanager
async def local_stripe(workdir: Path) -> AsyncIterator[str]:
    """The local Stripe server, its state in `workdir`: its base URL."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLI, "stripe-server", "--port", str(port),
        "--state-file", str(workdir / "stripe.json"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


@contextlib.asynccontextmanager
async def worker_here(
    name: str,
    placement: Placement,
    *,
    cached: int = 1000,
    database_url: str | None = None,
    beside: Callable[[Client, Settings, Engine], Worker] | None = None,
) -> AsyncIterator[tuple[Client, str]]:
    """The stack with its worker running: a client, and the worker's queue prefix. `beside`
    builds another worker on the same settings and database, run alongside."""
    workdir = Path(tempfile.mkdtemp(prefix=f"order-saga-{name}-"))
    database_url = database_url or f"sqlite:///{workdir / 'orders.db'}"
    prepare(database_url)
    prefix = f"{name}-{uuid.uuid4().hex[:6]}"
    async with local_stripe(workdir) as stripe_base:
        env = await start_local_server(port=free_port())
        try:
            settings = Settings(
                placement=placement,
                queue_prefix=prefix,
                database_url=database_url,
                stripe_api_base=stripe_base,
            )
            engine = make_engine(database_url)
            group = build_worker(
                env.client, settings=settings, engine=engine, max_cached_workflows=cached
            )
            async with group, contextlib.AsyncExitStack() as others:
                if beside is not None:
                    await others.enter_async_context(beside(env.client, settings, engine))
                yield env.client, prefix
        finally:
            await env.shutdown()
