"""The no-op's worker process (`benchmarks.noop`), built with the saga worker's options.

python -m benchmarks.noop_worker --address 127.0.0.1:7233 --task-queue bench-noop
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from activities.queues import queue
from benchmarks.noop import CALLS, NoopOrder
from order_saga.temporal import connect, run_then_exit
from order_saga.worker_group import WorkerGroup
from order_saga.worker_main import stop_signal
from order_saga.worker_options import (
    LOOKUP_SLOTS,
    MAX_CONCURRENT_ACTIVITIES,
    activity_worker,
    slots_each,
    workflow_worker,
)


async def serve(address: str, prefix: str) -> None:
    """Run the no-op's workers until SIGTERM or SIGINT."""
    stop = stop_signal()
    client = await connect(address)
    executor = ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES)
    orders = queue(prefix, "orders")
    local = [f for declared, f in CALLS if declared.service == "orders"]  # the risk check
    workers = [
        workflow_worker(
            client,
            orders,
            [NoopOrder],
            local_activities=local,
            executor=executor,
            local_slots=LOOKUP_SLOTS,
        )
    ]
    for service in ("inventory", "payment", "shipment"):
        functions = [f for declared, f in CALLS if declared.service == service]
        workers.append(
            activity_worker(
                client, queue(prefix, service), functions, executor, slots=slots_each(3)
            )  # type: ignore[arg-type]
        )
    async with WorkerGroup(workers):
        await stop.wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    arguments = parser.parse_args()
    run_then_exit(lambda: asyncio.run(serve(arguments.address, arguments.task_queue)))
