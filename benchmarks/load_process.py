"""The throughput benchmark's load generator, a process of its own so its CPU is its own:
N orders of one kind (the saga, or the matched no-op), C in flight, one JSON line out.

    python -m benchmarks.load_process --kind saga --address 127.0.0.1:7233 \\
        --task-queue bench --count 100 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os

from temporalio.client import Client

from activities.inventory.catalogue import stocked_prices
from activities.queues import queue
from benchmarks.noop import NOOP_WORKFLOW, Token
from order_saga.client import order_result
from order_saga.load import run_load, run_saga
from order_saga.temporal import connect, run_then_exit
from workflows.order_request import OrderRequest


async def run_noop(client: Client, order: OrderRequest, queue_prefix: str) -> str:
    """The no-op with the saga's input, on its own queue family."""
    await order_result(
        await client.start_workflow(
            NOOP_WORKFLOW,
            order,
            id=f"noop-{order.order_id}",
            task_queue=queue(queue_prefix, "orders"),
            result_type=Token,
        )
    )
    return "COMPLETED"


async def main(kind: str, address: str, prefix: str, count: int, concurrency: int) -> None:
    client = await connect(address)
    began = os.times()
    report = await run_load(
        client,
        prefix,
        count=count,
        concurrency=concurrency,
        mix={"success": 1.0},
        catalogue=stocked_prices(),
        execute=run_saga if kind == "saga" else run_noop,
    )
    ended = os.times()
    summary = report.summary()
    summary["cpu_seconds"] = (ended.user - began.user) + (ended.system - began.system)
    summary["latencies"] = report.latencies
    summary["finished"] = report.finished
    print(json.dumps(summary))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=("saga", "noop"), required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    a = parser.parse_args()
    run_then_exit(
        lambda: asyncio.run(main(a.kind, a.address, a.task_queue, a.count, a.concurrency))
    )
