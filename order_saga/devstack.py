"""The embedded stack: Temporal dev server, local Stripe server, migrated database, worker."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from order_saga import search
from order_saga.binaries import find_binary
from order_saga.db.catalogue import seed_catalogue
from order_saga.db.engine import display_url, make_engine
from order_saga.db.migrate import upgrade
from order_saga.settings import DATA_DIR, LOCAL_STRIPE_PORT, Settings
from order_saga.stripe_server import app as stripe_app
from order_saga.stripe_server.faults import Faults
from order_saga.temporal import connect
from order_saga.worker import build_worker

log = logging.getLogger("order_saga.dev")
STARTUP_DEADLINE_SECONDS = 60.0
PR_SET_PDEATHSIG = 1

# Measured on 2 cores with a 3-activity no-op workflow: stock start-dev ~20 workflows/s
# and 200 ms for a lone workflow; with these settings ~45-50/s and ~37 ms.
TUNING = [
    "--sqlite-pragma",
    "journal_mode=WAL",
    "--sqlite-pragma",
    "synchronous=NORMAL",
    "--dynamic-config-value",
    "history.transferProcessorMaxPollRPS=1000",
    "--dynamic-config-value",
    "history.visibilityProcessorMaxPollRPS=1000",
    "--dynamic-config-value",
    "history.timerProcessorMaxPollRPS=1000",
]


@dataclass
class Endpoints:
    temporal: str
    web_ui: str | None = None
    stripe: str | None = None
    database: str = ""
    started: list[str] = field(default_factory=list)


def port_open(host: str, port: int) -> bool:
    """Whether something already listens there (a stack started elsewhere)."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


async def wait_for_temporal(address: str, deadline: float = STARTUP_DEADLINE_SECONDS) -> Client:
    """Poll until the frontend answers, or fail with the address it could not reach."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while True:
        try:
            return await connect(address)
        except RuntimeError as err:
            if loop.time() > give_up:
                message = f"Temporal at {address} did not come up in {deadline:.0f}s"
                raise RuntimeError(message) from err
            await asyncio.sleep(0.25)  # polling a starting server, bounded by the deadline


def _die_with_parent() -> None:
    """On Linux, the dev server gets SIGTERM if this process dies without cleaning up."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.asynccontextmanager
async def temporal_dev_server(
    *,
    port: int = 7233,
    ui_port: int = 8233,
    db_file: Path | None = DATA_DIR / "temporal.db",
    log_file: Path = DATA_DIR / "temporal.log",
    headless: bool = False,
) -> AsyncIterator[str]:
    """Run `temporal server start-dev` (tuned) for the duration of the block."""
    args = ["server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), *TUNING]
    args += search.dev_server_flags()
    args += ["--headless"] if headless else ["--ui-port", str(ui_port)]
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        args += ["--db-filename", str(db_file)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            find_binary("temporal"), *args, stdout=sink, stderr=sink, preexec_fn=_die_with_parent
        )
    try:
        yield f"127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


@contextlib.asynccontextmanager
async def local_stripe(
    port: int = LOCAL_STRIPE_PORT,
    *,
    host: str = "127.0.0.1",
    faults: str | None = None,
    state_file: Path | None = None,
) -> AsyncIterator[str]:
    """Serve the local Stripe-compatible API; state survives restarts through `state_file`."""
    state = stripe_app.LocalStripe(faults=Faults.parse(faults), state_file=state_file)
    runner, base_url = await stripe_app.start(state, host, port)
    try:
        yield base_url
    finally:
        await runner.cleanup()


def prepare_database(settings: Settings, *, seed: bool = True) -> None:
    """Migrate the configured database and, unless told not to, seed the catalogue."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        if seed:
            seed_catalogue(engine)
    finally:
        engine.dispose()


@contextlib.asynccontextmanager
async def embedded_stack(
    settings: Settings,
    *,
    with_worker: bool = True,
    reuse_running: bool = False,
    address: str = "127.0.0.1:7233",
) -> AsyncIterator[tuple[Client, Endpoints]]:
    """Bring up what is missing, yield a connected client, and stop what was started."""
    prepare_database(settings)
    host, _, port = address.rpartition(":")
    endpoints = Endpoints(temporal=address, database=display_url(settings.database_url))
    async with contextlib.AsyncExitStack() as stack:
        if settings.uses_local_stripe and settings.stripe_api_base is None:
            endpoints.stripe = f"http://127.0.0.1:{LOCAL_STRIPE_PORT}"
            if not (reuse_running and port_open("127.0.0.1", LOCAL_STRIPE_PORT)):
                await stack.enter_async_context(
                    local_stripe(
                        faults=settings.stripe_faults, state_file=settings.stripe_state_file
                    )
                )
                endpoints.started.append("stripe")
        if not (reuse_running and port_open(host or "127.0.0.1", int(port))):
            await stack.enter_async_context(temporal_dev_server(port=int(port)))
            endpoints.started.append("temporal")
        endpoints.web_ui = f"http://localhost:{int(port) + 1000}"
        client = await wait_for_temporal(address)
        await search.register(client)  # a stack found running may predate them
        if with_worker:
            engine = make_engine(settings.database_url)
            stack.callback(engine.dispose)
            worker = build_worker(client, settings=settings, engine=engine)
            await stack.enter_async_context(worker)
            endpoints.started.append("worker")
        yield client, endpoints
