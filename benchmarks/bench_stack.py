"""One benchmark cell's stack, every part a process of its own so /proc tells their CPU
apart: a fresh tuned dev server, the local Stripe server with a state file, the saga's
worker (`order-saga-worker`) and the no-op's, and a load generator per repetition."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update

from activities.database import transaction
from activities.inventory.tables import Product
from benchmarks.proc_stats import children, peak_rss_mb
from order_saga.db.engine import make_engine
from order_saga.embedded.stack import prepare_database, wait_for_temporal
from order_saga.embedded.temporal_server import supervised_dev_server

WORKER = "from order_saga.worker_main import main; main()"
CLI = "from order_saga.cli import main; main()"


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


@dataclass
class BenchStack:
    database: str
    address: str
    workdir: Path
    processes: dict[str, asyncio.subprocess.Process]
    server_pid: int
    prefixes: dict[str, str]

    def pids(self, kind: str) -> dict[str, int]:
        """The processes that serve one kind of order."""
        worker = self.processes["worker" if kind == "saga" else "noop_worker"]
        return {
            "server": self.server_pid,
            "worker": worker.pid,
            "stripe": self.processes["stripe"].pid,
        }

    def peak_rss(self) -> dict[str, float]:
        rss = {name: peak_rss_mb(p.pid) for name, p in self.processes.items()}
        return rss | {"server": peak_rss_mb(self.server_pid)}

    async def load(self, kind: str, count: int, concurrency: int) -> dict[str, Any]:
        """Run the load generator and return its figures."""
        for name, worker in self.processes.items():
            if worker.returncode is not None:
                log = self.workdir / "processes.log"
                raise RuntimeError(f"the {name} process exited with {worker.returncode}: see {log}")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.load_process", "--kind", kind,
            "--address", self.address, "--task-queue", self.prefixes[kind],
            "--count", str(count), "--concurrency", str(concurrency),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await process.communicate()
        if process.returncode:
            raise RuntimeError(f"the load generator exited with {process.returncode}")
        summary: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        return summary


@contextlib.asynccontextmanager
async def bench_stack(database: str, database_url: str) -> AsyncIterator[BenchStack]:
    workdir = Path(tempfile.mkdtemp(prefix="order-saga-throughput-"))
    database_url = database_url or f"sqlite:///{workdir / 'orders.db'}"
    prepare(database_url)
    port, stripe_port = free_port(), free_port()
    async with supervised_dev_server(  # as `order-saga dev` runs it, Web UI included
        port=port,
        ui_port=free_port(),
        db_file=workdir / "temporal.db",
        log_file=workdir / "temporal.log",
    ) as address:
        await wait_for_temporal(address)
        (server_pid,) = children(os.getpid(), "temporal")
        async with _processes(
            database, address, server_pid, database_url, stripe_port, workdir
        ) as stack:
            yield stack


@contextlib.asynccontextmanager
async def _processes(
    database: str,
    address: str,
    server_pid: int,
    database_url: str,
    stripe_port: int,
    workdir: Path,
) -> AsyncIterator[BenchStack]:
    run = uuid.uuid4().hex[:6]
    prefixes = {"saga": f"bench-{run}", "noop": f"noop-{run}"}
    env = os.environ | {
        "DATABASE_URL": database_url,
        "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}",
        "QUEUE_PREFIX": prefixes["saga"],
        "STRIPE_STATE_FILE": str(workdir / "stripe.json"),
    }
    env.pop("STRIPE_API_KEY", None)
    # As an installed package runs (pip byte-compiles it): with PYTHONDONTWRITEBYTECODE on an
    # editable install, every workflow run would compile its module's source again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    log = (workdir / "processes.log").open("ab")
    commands = {
        "stripe": [sys.executable, "-c", CLI, "stripe-server", "--port", str(stripe_port)],
        "worker": [sys.executable, "-c", WORKER, "--address", address],
        "noop_worker": [
            sys.executable, "-m", "benchmarks.noop_worker", "--address", address,
            "--task-queue", prefixes["noop"],
        ],
    }  # fmt: skip
    processes: dict[str, asyncio.subprocess.Process] = {}
    try:
        for name, command in commands.items():
            processes[name] = await asyncio.create_subprocess_exec(
                *command, env=env, stdout=log, stderr=log
            )
        await wait_for_port(stripe_port, processes["stripe"])
        yield BenchStack(database, address, workdir, processes, server_pid, prefixes)
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.terminate()
        for process in processes.values():
            await process.wait()
        log.close()
