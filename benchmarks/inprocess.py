"""A benchmark kind whose orders start in the process that runs them, as `order-saga dev`'s
API starts sagas on its colocated worker: the colocated saga and the engine floor (local
activities, eager start), and DBOS (a workflow runs where it starts). Its CPU is the worker's
and the load's together.

    python -m benchmarks.inprocess --kind colocated --address 127.0.0.1:7233 --task-queue q

Reads one JSON line `{"count": N, "concurrency": C}` per repetition on stdin and answers each
with one line of load figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client

from activities.inventory.catalogue import stocked_prices
from activities.queues import queue
from benchmarks.bench_setup import pool_size
from benchmarks.floor_work import FLOOR_WORK_WORKFLOW, FloorWorkOrder
from benchmarks.noop import CALLS, LocalNoopOrder, Token
from benchmarks.noop import LOCAL_NOOP_WORKFLOW as LOCAL_NOOP
from benchmarks.order_work import OrderWork, work_steps
from order_saga.client import order_result, start_order
from order_saga.db.engine import make_engine
from order_saga.load import Execute, outcome_of, run_load
from order_saga.settings import Settings
from order_saga.temporal import connect, run_then_exit
from order_saga.worker_group import WorkerGroup, build_worker
from order_saga.worker_options import MAX_CONCURRENT_ACTIVITIES, workflow_worker
from workflows.order_request import OrderRequest

KINDS = ("colocated", "floor", "dbos", "direct", "floor-work", "dbos-work")


async def eager_saga(client: Client, order: OrderRequest, queue_prefix: str) -> str:
    return await outcome_of(await start_order(client, order, queue_prefix, eager=True))


def eager(workflow_name: str, result_type: type) -> Execute:
    """One order in a workflow of `workflow_name`, started eagerly in this process's worker
    (the floor's way), waited for."""

    async def run(client: Client, order: OrderRequest, queue_prefix: str) -> str:
        handle = await client.start_workflow(
            workflow_name,
            order,
            id=f"{workflow_name}-{order.order_id}",
            task_queue=queue(queue_prefix, "orders"),
            result_type=result_type,
            request_eager_start=True,
        )
        await order_result(handle)
        return "COMPLETED"

    return run


@contextlib.asynccontextmanager
async def serving(kind: str, address: str, prefix: str) -> AsyncIterator[tuple[Any, Execute]]:
    """The kind's worker (or DBOS, or the bare work) running in this process, and how one
    order is run."""
    if kind == "direct":
        work = OrderWork(Settings())
        yield None, lambda _c, order, _p: work.run(order)
        return
    if kind.startswith("dbos"):
        async with dbos_running(kind) as execute:
            yield None, execute
        return
    client = await connect(address)
    if kind == "colocated":
        settings = Settings(placement="colocated", queue_prefix=prefix)
        engine = make_engine(settings.database_url, pool_size=pool_size())
        group = build_worker(client, settings=settings, engine=engine)
        execute: Execute = eager_saga
    else:
        work_kind = kind == "floor-work"
        steps = list(work_steps(Settings()).values()) if work_kind else [c for _, c in CALLS]
        group = WorkerGroup(
            [
                workflow_worker(
                    client,
                    queue(prefix, "orders"),
                    [FloorWorkOrder if work_kind else LocalNoopOrder],
                    placement="colocated",
                    local_activities=steps,
                    executor=ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES),
                )
            ]
        )
        execute = eager(FLOOR_WORK_WORKFLOW, str) if work_kind else eager(LOCAL_NOOP, Token)
    async with group:
        yield client, execute


@contextlib.asynccontextmanager
async def dbos_running(kind: str) -> AsyncIterator[Execute]:
    """DBOS launched on its own system database: no-op steps, or the saga's work."""
    from benchmarks import dbos_order

    system = dbos_order.system_database(os.environ["DBOS_POSTGRES_URL"])
    if kind == "dbos-work":
        dbos_order.WORK.append(OrderWork(Settings()))
    dbos_order.launch(system)
    try:
        if kind == "dbos-work":
            yield lambda _c, order, _p: dbos_order.run_dbos_work_order(order)
        else:
            yield lambda _c, order, _p: dbos_order.run_dbos_order(order.order_id)
    finally:
        dbos_order.shut_down(system)


async def main(kind: str, address: str, prefix: str) -> None:
    async with serving(kind, address, prefix) as (client, execute):
        print(json.dumps({"ready": True}), flush=True)
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            ask = json.loads(line)
            report = await run_load(
                client,
                prefix,
                count=ask["count"],
                concurrency=ask["concurrency"],
                mix={"success": 1.0},
                catalogue=stocked_prices(),
                execute=execute,
            )
            summary = report.summary()
            summary["latencies"] = report.latencies
            summary["finished"] = report.finished
            print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    a = parser.parse_args()
    run_then_exit(lambda: asyncio.run(main(a.kind, a.address, a.task_queue)))
