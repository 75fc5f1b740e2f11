"""What a worker's memory holds per saga in flight: sagas parked at their carrier pickup
(an hour away) pile up in one worker process, and at each step the process's resident memory
is read; with `--heap`, the Python heap's too (tracemalloc) and, at the end, its growth by
module.

    python -m benchmarks.worker_memory                      # colocated, 20 to 200 parked
    python -m benchmarks.worker_memory --placement per-service --cached 50
    python -m benchmarks.worker_memory --heap               # what in Python holds it

The worker serves every service in this process (as `order-saga dev` does); a fresh
in-memory dev server and the local Stripe server run beside it. tracemalloc slows the
process several times and keeps a record of its own per block, so with `--heap` the resident
figures include its overhead: read them from a run without it.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import random
import tracemalloc
import uuid
from pathlib import Path

from temporalio.client import Client

from activities.inventory.catalogue import stocked_prices
from activities.queues import queue
from benchmarks.one_process import worker_here
from order_saga.client.starting import start_order
from order_saga.load import make_order
from order_saga.temporal import run_then_exit
from workflows.placement import PLACEMENTS

MB = 1024 * 1024


def rss_mb() -> float:
    """This process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def trimmed_rss_mb() -> float:
    """Resident memory once glibc has handed its free pages back: what live data holds,
    without what freed memory left mapped."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


def heap_mb() -> float:
    """What Python's allocators hold for live objects, when tracemalloc traces; else 0."""
    return tracemalloc.get_traced_memory()[0] / MB


async def parked(client: Client, prefix: str) -> int:
    count = await client.count_workflows(
        f'TaskQueue = "{queue(prefix, "orders")}" AND OrderStatus = "AWAITING_HANDOVER"'
        ' AND ExecutionStatus = "Running"'
    )
    return count.count


async def park(client: Client, prefix: str, start: int, stop: int, run: str) -> None:
    """Start orders start..stop-1 with an hour's pickup wait; return once all are parked."""
    catalogue, rng = stocked_prices(), random.Random(start)
    for index in range(start, stop):
        order = make_order("success", index, run, catalogue, rng)
        order = order.model_copy(update={"handover_delay_seconds": 3600})
        await start_order(client, order, prefix, eager=True)
    deadline = asyncio.get_running_loop().time() + 600
    while await parked(client, prefix) < stop:
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"only {await parked(client, prefix)} of {stop} sagas parked")
        await asyncio.sleep(0.5)  # polling visibility, with a deadline


def by_module(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int
) -> list[tuple[str, float, int]]:
    """The heap's growth by top-level package (site-packages stripped): MB and blocks."""
    grown: dict[str, tuple[float, int]] = {}
    for stat in after.compare_to(before, "filename"):
        name = stat.traceback[0].filename
        name = name.split("site-packages/")[-1].split("/lib/python3")[-1]
        for root in (str(Path.cwd()) + "/", "/"):
            name = name.removeprefix(root)
        key = "/".join(name.split("/")[:2]) if "/" in name else name
        size, count = grown.get(key, (0.0, 0))
        grown[key] = (size + stat.size_diff / MB, count + stat.count_diff)
    ranked = sorted(grown.items(), key=lambda item: -item[1][0])[:top]
    return [(name, size, count) for name, (size, count) in ranked]


async def main(args: argparse.Namespace) -> None:
    run = uuid.uuid4().hex[:6]  # the orders' ids
    async with worker_here(
        "memory", args.placement, cached=args.cached, database_url=args.database_url
    ) as (client, prefix):
        await park(client, prefix, 0, args.warm_up, run)  # imports, pools, caches
        gc.collect()
        if args.heap:
            tracemalloc.start(1)
        first = tracemalloc.take_snapshot() if args.heap else None
        base_rss, base_trimmed, base_heap = rss_mb(), trimmed_rss_mb(), heap_mb()
        database = (args.database_url or "sqlite").split(":")[0]
        print(f"{args.placement}, cache {args.cached}, {database}")
        print("| parked | RSS MB | trimmed MB | heap MB | per saga KB: RSS | trimmed | heap |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        print(f"| {args.warm_up} | {base_rss:.1f} | {base_trimmed:.1f} | {base_heap:.1f} |||")
        done = args.warm_up
        for stop in args.steps:
            await park(client, prefix, done, stop, run)
            done = stop
            gc.collect()
            rss, trimmed, heap = rss_mb(), trimmed_rss_mb(), heap_mb()
            per_saga = [
                (now - base) * 1024 / (stop - args.warm_up)
                for now, base in (
                    (rss, base_rss),
                    (trimmed, base_trimmed),
                    (heap, base_heap),
                )
            ]
            print(
                f"| {stop} | {rss:.1f} | {trimmed:.1f} | {heap:.1f} | "
                + " | ".join(f"{kb:.0f}" for kb in per_saga)
                + " |",
                flush=True,
            )
        if first is not None:
            last = tracemalloc.take_snapshot()
            print(f"\nThe heap's growth from {args.warm_up} to {done} parked, by module:")
            print("| module | MB | blocks |")
            print("| --- | --- | --- |")
            for name, size, count in by_module(first, last, args.top):
                print(f"| {name} | {size:.2f} | {count} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--placement", choices=PLACEMENTS, default="colocated")
    parser.add_argument("--cached", type=int, default=1000, help="max_cached_workflows")
    parser.add_argument("--warm-up", type=int, default=20, help="sagas parked before measuring")
    parser.add_argument("--steps", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--heap", action="store_true", help="trace the Python heap too")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    run_then_exit(lambda: asyncio.run(main(parser.parse_args())))
