"""What an order costs, in both placements, against what users compare it with.

    python -m benchmarks.throughput                  # SQLite and PostgreSQL, C = 1, 10, 50, 200
    python -m benchmarks.throughput --databases sqlite --concurrency 10 --reps 1

For each database and concurrency: a fresh dev server (and a fresh SQLite file), the local
Stripe server with a state file, and interleaved repetitions of these kinds of order:

- `saga`: the saga placed per service (`order-saga-worker --placement per-service`), loaded
  by a load-generator process, against `noop`, the matched no-op (`benchmarks.noop`: the same
  six activity calls on the same queues, the risk check local as the saga's, with the same
  timeouts, retry policies and worker options);
- `colocated`: the saga placed colocated, started eagerly in its worker's process (as
  `order-saga dev`'s API starts it), against `floor`, the engine's floor (the no-op's calls
  as local activities, started eagerly), and `dbos`: DBOS with six checkpointed no-op steps
  on PostgreSQL (`pip install -e '.[dbos]'`; left out without it);
- like for like, each doing the saga's six real calls (`benchmarks.order_work`) against the
  same database and Stripe server: `direct` (in sequence per order, C orders at once, no
  engine: the work's own cost), `floor-work` (the floor's shape running them:
  `benchmarks.floor_work`) and `dbos-work` (DBOS running them as its steps).

Prints orders/s, p50 and p99, CPU ms per order of each process (from /proc), peak RSS, what
an order's history costs the engine (`benchmarks.history_cost`), the ratios the targets are
set on; then a 2,000-saga cell per placement, whose last quarter's
throughput is set against its first.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
from pathlib import Path

from temporalio.client import Client

from activities.queues import queue
from benchmarks.bench_stack import NO_SERVER, BenchStack, bench_stack
from benchmarks.history_cost import order_cost
from benchmarks.proc_stats import cpu_seconds, server_cpu_seconds
from benchmarks.throughput_table import KINDS, Cell, Rep, table

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


async def run_kind(stack: BenchStack, kind: str, count: int, concurrency: int) -> Rep:
    """One repetition: the load generator runs `count` orders; every process's CPU is read
    before and after."""
    pids = stack.pids(kind)
    postgres = stack.database == "postgresql" or kind.startswith("dbos")  # DBOS's state is there
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    pg_before = server_cpu_seconds("postgres") if postgres else 0.0
    summary = await stack.load(kind, count, concurrency)
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    cpu["load"] = float(summary["cpu_seconds"])
    cpu["postgres"] = server_cpu_seconds("postgres") - pg_before if postgres else 0.0
    return Rep(kind, summary, {name: 1000 * s / count for name, s in cpu.items()})


async def measure_cell(
    database: str,
    database_url: str,
    concurrency: int,
    reps: int,
    count: int,
    kinds: tuple[str, ...],
    postgres_url: str,
) -> Cell:
    cell = Cell(database, concurrency, kinds)
    async with bench_stack(database, database_url, kinds, postgres_url) as stack:
        for kind in kinds:  # warm-up: imports, caches, connection pools
            await stack.load(kind, min(40, 4 * concurrency), min(concurrency, 10))
        for rep in range(reps):
            for kind in kinds if rep % 2 == 0 else tuple(reversed(kinds)):
                cell.reps.append(await run_kind(stack, kind, count, concurrency))
                print(".", end="", file=sys.stderr, flush=True)
        cell.rss_mb = stack.peak_rss()
        client = await Client.connect(stack.address)
        for kind in (k for k in kinds if k not in NO_SERVER):
            cell.cost[kind] = await order_cost(client, queue(stack.prefixes[kind], "orders"))
    return cell


async def long_cell(
    database: str, database_url: str, count: int, concurrency: int, kind: str, postgres_url: str
) -> str:
    async with bench_stack(database, database_url, (kind,), postgres_url) as stack:
        summary = await stack.load(kind, count, concurrency)
    finished = sorted(summary["finished"])
    quarter = count // 4

    def rate(first: int, last: int) -> float:
        start = finished[first - 1] if first else 0.0
        return float((last - first) / (finished[last - 1] - start))

    head, tail = rate(0, quarter), rate(count - quarter, count)
    return (
        f"{database}, {kind}: {count} sagas at C={concurrency}: "
        f"{summary['sagas_per_second']} sagas/s, p50 {summary['p50_seconds']} s, "
        f"p99 {summary['p99_seconds']} s; "
        f"first quarter {head:.1f}/s, last quarter {tail:.1f}/s, last/first {tail / head:.2f}"
    )


def dbos_available() -> bool:
    """Whether the `dbos` extra is installed; without it, the DBOS column is left out."""
    if importlib.util.find_spec("dbos") is None:
        print("dbos is not installed (pip install -e '.[dbos]'): no DBOS column", file=sys.stderr)
        return False
    return True


async def main(args: argparse.Namespace) -> None:
    urls = {"sqlite": "", "postgresql": args.postgres_url}
    for database in args.databases:
        cells = []
        kinds = tuple(k for k in args.kinds if not k.startswith("dbos") or dbos_available())
        for concurrency in args.concurrency:
            count = max(args.min_count, args.per_concurrency * concurrency)
            print(
                f"{database} C={concurrency}: {args.reps} x {count} each ", end="", file=sys.stderr
            )
            cells.append(
                await measure_cell(
                    database,
                    urls[database],
                    concurrency,
                    args.reps,
                    count,
                    kinds,
                    args.postgres_url,
                )
            )
            print(file=sys.stderr)
        print(f"\n### {database} (median of {args.reps} interleaved repetitions)\n")
        print("\n".join(table(cells)))
        for kind in ("saga", "colocated") if args.long else ():
            figures = await long_cell(
                database, urls[database], args.long, args.long_concurrency, kind, args.postgres_url
            )
            print("\n" + figures)
        if args.json:
            Path(args.json).with_suffix(f".{database}.json").write_text(
                json.dumps([c.__dict__ | {"reps": [r.__dict__ for r in c.reps]} for c in cells])
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--databases", type=lambda s: s.split(","), default=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[1, 10, 50, 200]
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--per-concurrency", type=int, default=3, help="orders per rep per C")
    parser.add_argument("--min-count", type=int, default=60)
    parser.add_argument("--long", type=int, default=2000, help="0 skips the long cell")
    parser.add_argument("--long-concurrency", type=int, default=50)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    )
    parser.add_argument("--json", help="also write each database's figures to this path")
    parser.add_argument(
        "--kinds", type=lambda s: tuple(s.split(",")), default=KINDS, help=",".join(KINDS)
    )
    asyncio.run(main(parser.parse_args()))
