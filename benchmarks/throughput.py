"""What an order costs, in both placements, against what users compare it with.

    python -m benchmarks.throughput                  # SQLite and PostgreSQL, C = 1, 10, 50, 200
    python -m benchmarks.throughput --databases sqlite --concurrency 10 --reps 1

For each database and concurrency: a fresh dev server (and a fresh SQLite file), the local
Stripe server with a state file, and interleaved repetitions of five kinds of order:

- `saga`: the saga placed per service (`order-saga-worker --placement per-service`), loaded
  by a load-generator process, against `noop`, the matched no-op (`benchmarks.noop`: the same
  four activity calls on the same queues, timeouts, retry policies and worker options);
- `colocated`: the saga placed colocated, started eagerly in its worker's process (as
  `order-saga dev`'s API starts it), against `floor`, the engine's floor (the no-op's calls
  as local activities, started eagerly), and `dbos`: DBOS with four checkpointed steps on
  PostgreSQL (`pip install -e '.[dbos]'`; left out without it).

Prints orders/s, p50 and p99, CPU ms per order of each process (from /proc), peak RSS, the
ratios the targets are set on; then a 2,000-saga cell per placement, whose last quarter's
throughput is set against its first.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bench_stack import WORKERS, BenchStack, bench_stack
from benchmarks.proc_stats import cpu_seconds, server_cpu_seconds

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PROCESSES = ("server", "worker", "stripe", "load", "postgres")
KINDS = ("saga", "noop", "colocated", "floor", "dbos")
# The ratios the targets are set on: (kind, against).
RATIOS = (("saga", "noop"), ("colocated", "floor"), ("colocated", "dbos"), ("colocated", "saga"))


@dataclass
class Rep:
    kind: str
    summary: dict[str, Any]
    cpu_ms: dict[str, float]  # per order, by process


@dataclass
class Cell:
    database: str
    concurrency: int
    kinds: tuple[str, ...]
    reps: list[Rep] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)

    def median(self, kind: str, key: str) -> float:
        return statistics.median(float(r.summary[key]) for r in self.reps if r.kind == kind)

    def cpu(self, kind: str, process: str) -> float:
        return statistics.median(r.cpu_ms.get(process, 0.0) for r in self.reps if r.kind == kind)


async def run_kind(stack: BenchStack, kind: str, count: int, concurrency: int) -> Rep:
    """One repetition: the load generator runs `count` orders; every process's CPU is read
    before and after."""
    pids = stack.pids(kind)
    postgres = stack.database == "postgresql" or kind == "dbos"  # DBOS keeps its state there
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


def table(cells: list[Cell]) -> list[str]:
    head = (
        "| C | kind | orders/s | p50 / p99 | server | worker | Stripe server | load generator "
        "| PostgreSQL | worker peak RSS |"
    )
    lines = [
        "CPU in ms per order; colocated, floor and dbos start their orders in their worker's "
        "process (its CPU includes the load's); dbos uses no Temporal server.\n",
        head,
        "|" + " --- |" * (head.count("|") - 1),
    ]
    for c in cells:
        for kind in c.kinds:
            cpu = " | ".join(f"{c.cpu(kind, p):.1f}" for p in PROCESSES)
            rss = c.rss_mb.get(WORKERS[kind], 0.0)
            lines.append(
                f"| {c.concurrency} | {kind} | {c.median(kind, 'sagas_per_second'):.1f} | "
                f"{1000 * c.median(kind, 'p50_seconds'):.0f} / "
                f"{1000 * c.median(kind, 'p99_seconds'):.0f} ms | {cpu} | {rss:.0f} MB |"
            )
    ratios = [(k, a) for k, a in RATIOS if all(k in c.kinds and a in c.kinds for c in cells)]
    lines += [
        "",
        "| C | " + " | ".join(f"{k} / {a}" for k, a in ratios) + " |",
        "|" + " --- |" * (len(ratios) + 1),
    ]
    for c in cells:
        figures = [
            c.median(k, "sagas_per_second") / c.median(a, "sagas_per_second") for k, a in ratios
        ]
        lines.append(f"| {c.concurrency} | " + " | ".join(f"{f:.2f}" for f in figures) + " |")
    return lines


async def main(args: argparse.Namespace) -> None:
    urls = {"sqlite": "", "postgresql": args.postgres_url}
    for database in args.databases:
        cells = []
        kinds = tuple(k for k in args.kinds if k != "dbos" or dbos_available())
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
