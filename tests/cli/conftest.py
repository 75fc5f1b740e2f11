"""Fixtures of the command-line tests: a real dev server, the CLI's environment, workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from order_saga import search
from order_saga.devstack import temporal_dev_server, wait_for_temporal

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
async def dev_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The real dev server (visibility, search attributes), in memory, on a free port."""
    log = tmp_path_factory.mktemp("dev") / "temporal.log"
    async with temporal_dev_server(
        port=free_port(), db_file=None, log_file=log, headless=True
    ) as address:
        await search.register(await wait_for_temporal(address))
        yield address


@pytest.fixture
def cli_env(engine: Engine, stripe_server, task_queue: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "STRIPE_API_BASE": stripe_server[1],
        "TASK_QUEUE": task_queue,
    }


def start_worker(dev_server: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [BIN / "order-saga-worker", "--address", dev_server, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]  # clean shutdown on SIGTERM


@pytest.fixture
def worker_process(dev_server: str, cli_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(dev_server, cli_env)
    yield process
    stop_worker(process)


def order_saga(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "order-saga", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
