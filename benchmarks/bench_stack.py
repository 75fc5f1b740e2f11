"""One benchmark cell's stack, every part a process of its own so /proc tells their CPU
apart: a fresh tuned dev server, the local Stripe server with a state file, the per-service
saga's worker (`order-saga-worker`) and the matched no-op's, each loaded by a load generator
per repetition; and the kinds whose orders start where they run (`benchmarks.inprocess`:
the colocated saga, the engine floor, DBOS), each a process taking its load on stdin."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_setup import POOL_VARIABLE, free_port, prepare, wait_for_port
from benchmarks.proc_stats import children, peak_rss_mb
from order_saga.embedded.ports import wait_for_temporal
from order_saga.embedded.temporal_server import supervised_dev_server

WORKER = "from order_saga.worker_main import main; main()"
INPROCESS = ("colocated", "floor", "dbos", "direct", "floor-work", "dbos-work")
NO_SERVER = ("dbos", "direct", "dbos-work")  # kinds that use no Temporal server
CLI = "from order_saga.cli import main; main()"


# The process that runs each kind's orders (and, in-process kinds, starts them too).
WORKERS = {"saga": "worker", "noop": "noop_worker"} | {k: k for k in INPROCESS}


@dataclass
class BenchStack:
    database: str
    address: str
    workdir: Path
    processes: dict[str, asyncio.subprocess.Process]
    server_pid: int
    prefixes: dict[str, str]
    kinds: tuple[str, ...]

    def pids(self, kind: str) -> dict[str, int]:
        """The processes that serve one kind of order."""
        pids = {"worker": self.processes[WORKERS[kind]].pid, "stripe": self.processes["stripe"].pid}
        return pids if kind in NO_SERVER else pids | {"server": self.server_pid}

    def peak_rss(self) -> dict[str, float]:
        rss = {name: peak_rss_mb(p.pid) for name, p in self.processes.items()}
        return rss | {"server": peak_rss_mb(self.server_pid)}

    async def load(self, kind: str, count: int, concurrency: int) -> dict[str, Any]:
        """Run the load generator (or ask the in-process kind) and return its figures."""
        for name, worker in self.processes.items():
            if worker.returncode is not None:
                log = self.workdir / "processes.log"
                raise RuntimeError(f"the {name} process exited with {worker.returncode}: see {log}")
        if kind in INPROCESS:
            return await self._ask(kind, count, concurrency)
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

    async def _ask(self, kind: str, count: int, concurrency: int) -> dict[str, Any]:
        process = self.processes[kind]
        assert process.stdin and process.stdout
        process.stdin.write(json.dumps({"count": count, "concurrency": concurrency}).encode())
        process.stdin.write(b"\n")
        await process.stdin.drain()
        while True:  # its answer is the line that is a JSON object; a library may print too
            line = await process.stdout.readline()
            if not line:
                raise RuntimeError(f"the {kind} process exited: see {self.workdir}")
            if line.startswith(b"{"):
                break
            print(f"{kind}: {line.decode().rstrip()}", file=sys.stderr)
        summary: dict[str, Any] = json.loads(line)
        summary["cpu_seconds"] = 0.0  # the load ran in the worker's process: counted there
        return summary


@contextlib.asynccontextmanager
async def bench_stack(
    database: str, database_url: str, kinds: tuple[str, ...], postgres_url: str
) -> AsyncIterator[BenchStack]:
    workdir = Path(tempfile.mkdtemp(prefix="order-saga-throughput-"))
    database_url = database_url or f"sqlite:///{workdir / 'orders.db'}"
    prepare(database_url)
    port, stripe_port = free_port(), free_port()
    async with supervised_dev_server(  # as `order-saga dev` runs it, Web UI included
        port=port,
        ui_port=free_port(),
        db_file=workdir / "temporal.db",
        log_file=workdir / "temporal.log",
    ):
        address = f"127.0.0.1:{port}"
        await wait_for_temporal(address)
        (server_pid,) = children(os.getpid(), "temporal")
        async with _processes(
            database, address, server_pid, database_url, stripe_port, workdir, kinds, postgres_url
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
    kinds: tuple[str, ...],
    postgres_url: str,
) -> AsyncIterator[BenchStack]:
    run = uuid.uuid4().hex[:6]
    prefixes = {kind: f"{kind}-{run}" for kind in kinds}
    env = os.environ | {
        "DATABASE_URL": database_url,
        "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}",
        "QUEUE_PREFIX": prefixes.get("saga", f"saga-{run}"),
        "STRIPE_STATE_FILE": str(workdir / "stripe.json"),
        "PLACEMENT": "per-service",
        "DBOS_POSTGRES_URL": postgres_url,
        POOL_VARIABLE: "5" if database == "postgresql" else "10",
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
            "--task-queue", prefixes.get("noop", ""),
        ],
    }  # fmt: skip
    for kind in INPROCESS:
        commands[kind] = [
            sys.executable, "-m", "benchmarks.inprocess", "--kind", kind, "--address", address,
            "--task-queue", prefixes.get(kind, ""),
        ]  # fmt: skip
    wanted = {"stripe"} | {WORKERS[kind] for kind in kinds}
    processes: dict[str, asyncio.subprocess.Process] = {}
    try:
        for name, command in commands.items():
            if name not in wanted:
                continue
            piped = name in INPROCESS
            processes[name] = await asyncio.create_subprocess_exec(
                *command,
                env=env,
                stdout=asyncio.subprocess.PIPE if piped else log,
                stderr=log,
                stdin=asyncio.subprocess.PIPE if piped else None,
                limit=2**24,  # a 2,000-order answer is one long line
            )
        await wait_for_port(stripe_port, processes["stripe"])
        for kind in INPROCESS:
            if kind in processes:
                ready = processes[kind].stdout
                assert ready is not None
                await ready.readline()  # {"ready": true}: its worker polls (or DBOS runs)
        yield BenchStack(database, address, workdir, processes, server_pid, prefixes, kinds)
    finally:
        # The in-process kinds stop at the end of their input, with Stripe still up for
        # whatever they finish; a kind that does not stop in a minute is stopped.
        for process in processes.values():
            if process.stdin is not None:
                process.stdin.close()
        for process in processes.values():
            if process.stdin is not None:
                try:
                    await asyncio.wait_for(process.wait(), 60)
                except TimeoutError:
                    process.terminate()
        for process in processes.values():
            if process.returncode is None:
                process.terminate()
        for process in processes.values():
            await process.wait()
        log.close()
