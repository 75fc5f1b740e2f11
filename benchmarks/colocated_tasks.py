"""How many workflow tasks a colocated saga takes at a given concurrency, and how many of
them the server timed out: a task runs the saga's local activities, and a task the server
times out has its finished steps run again.

    python -m benchmarks.colocated_tasks --concurrency 200 --count 400
    python -m benchmarks.colocated_tasks --task-timeout 10     # as the server's default
    python -m benchmarks.colocated_tasks --cache 10            # fewer cached than in flight
    python -m benchmarks.colocated_tasks --admit 100           # tasks the worker takes at once

One process: a fresh in-memory dev server, the local Stripe server, a colocated worker
starting its sagas eagerly (as `order-saga dev`'s API does); then a sample of the sagas'
histories is read.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.inventory.catalogue import stocked_prices
from activities.queues import queue
from benchmarks.inprocess import eager_saga
from benchmarks.one_process import worker_here
from order_saga import worker_options
from order_saga.client import starting
from order_saga.load import run_load
from order_saga.temporal import run_then_exit

LOST = (EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)


async def tasks_per_saga(client: Client, prefix: str, sample: int) -> None:
    """Workflow tasks completed per saga, how long each took from its start to its
    completion, and tasks lost, over a sample of the histories."""
    completed: list[int] = []
    durations: list[float] = []
    lost: collections.Counter[str] = collections.Counter()
    query = f'TaskQueue = "{queue(prefix, "orders")}" AND WorkflowType = "OrderSaga"'
    async for execution in client.list_workflows(query, limit=sample):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        tasks, began = 0, 0.0
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                began = event.event_time.ToMicroseconds() / 1e6
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                tasks += 1
                durations.append(event.event_time.ToMicroseconds() / 1e6 - began)
            if event.event_type in LOST:
                lost[EventType.Name(event.event_type)] += 1
        completed.append(tasks)
    completed.sort()
    durations.sort()
    print(
        f"{len(completed)} sagas sampled: workflow tasks per saga median "
        f"{completed[len(completed) // 2]}, max {completed[-1]}; tasks lost: {dict(lost) or 0}"
    )
    print(
        f"workflow task, started to completed: p50 {durations[len(durations) // 2]:.2f} s, "
        f"p99 {durations[int(0.99 * len(durations))]:.2f} s, max {durations[-1]:.2f} s"
    )


async def main(args: argparse.Namespace) -> None:
    if args.task_timeout is not None:
        starting.WORKFLOW_TASK_TIMEOUT = timedelta(seconds=args.task_timeout)
    if args.admit is not None:
        worker_options.ADMITTED_TASKS = args.admit
    async with worker_here("tasks", "colocated", cached=args.cache) as (client, prefix):
        report = await run_load(
            client,
            prefix,
            count=args.count,
            concurrency=args.concurrency,
            mix={"success": 1.0},
            catalogue=stocked_prices(),
            execute=eager_saga,
        )
        summary = report.summary()
        print(
            f"C = {args.concurrency}: {summary['sagas_per_second']} orders/s, "
            f"p50 {report.percentile(0.5):.1f} s, p99 {report.percentile(0.99):.1f} s"
        )
        await tasks_per_saga(client, prefix, args.sample)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--sample", type=int, default=100, help="histories read")
    parser.add_argument("--task-timeout", type=int, help="seconds; default: the saga's own")
    parser.add_argument("--cache", type=int, default=1000, help="the worker's workflow cache")
    parser.add_argument("--admit", type=int, help="workflow tasks at once; default: the worker's")
    run_then_exit(lambda: asyncio.run(main(parser.parse_args())))
