"""What an order costs: the saga against a matched no-op on the same tuned dev server.

    python -m benchmarks.throughput                  # SQLite and PostgreSQL, C = 1, 10, 50, 200
    python -m benchmarks.throughput --databases sqlite --concurrency 10 --reps 1

For each database and concurrency, a fresh dev server (and a fresh SQLite file), the local
Stripe server with a state file, a saga worker and a no-op worker (`benchmarks.noop`: the
same four activity calls and worker options), each a process of its own, and interleaved
repetitions of the saga and the no-op from a load-generator process. Prints sagas/s, p50
and p99, CPU ms per order of each process (from /proc), peak RSS, and the saga/no-op
ratios; then a 2,000-saga cell, whose last quarter's throughput is set against its first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bench_stack import BenchStack, bench_stack
from benchmarks.proc_stats import cpu_seconds, server_cpu_seconds

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PROCESSES = ("server", "worker", "stripe", "load", "postgres")


@dataclass
class Rep:
    kind: str
    summary: dict[str, Any]
    cpu_ms: dict[str, float]  # per order, by process


@dataclass
class Cell:
    database: str
    concurrency: int
    reps: list[Rep] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)

    def median(self, kind: str, key: str) -> float:
        return statistics.median(float(r.summary[key]) for r in self.reps if r.kind == kind)

    def cpu(self, kind: str, process: str) -> float:
        return statistics.median(r.cpu_ms[process] for r in self.reps if r.kind == kind)


async def run_kind(stack: BenchStack, kind: str, count: int, concurrency: int) -> Rep:
    """One repetition: the load generator runs `count` orders; every process's CPU is read
    before and after."""
    pids = stack.pids(kind)
    postgres = stack.database == "postgresql"
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    pg_before = server_cpu_seconds("postgres") if postgres else 0.0
    summary = await stack.load(kind, count, concurrency)
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    cpu["load"] = float(summary["cpu_seconds"])
    cpu["postgres"] = server_cpu_seconds("postgres") - pg_before if postgres else 0.0
    return Rep(kind, summary, {name: 1000 * s / count for name, s in cpu.items()})


async def measure_cell(
    database: str, database_url: str, concurrency: int, reps: int, count: int
) -> Cell:
    cell = Cell(database, concurrency)
    async with bench_stack(database, database_url) as stack:
        for kind in ("saga", "noop"):  # warm-up: imports, caches, connection pools
            await stack.load(kind, min(40, 4 * concurrency), min(concurrency, 10))
        for rep in range(reps):
            for kind in ("saga", "noop") if rep % 2 == 0 else ("noop", "saga"):
                cell.reps.append(await run_kind(stack, kind, count, concurrency))
                print(".", end="", file=sys.stderr, flush=True)
        cell.rss_mb = stack.peak_rss()
    return cell


async def long_cell(database: str, database_url: str, count: int, concurrency: int) -> str:
    async with bench_stack(database, database_url) as stack:
        summary = await stack.load("saga", count, concurrency)
    finished = sorted(summary["finished"])
    quarter = count // 4

    def rate(first: int, last: int) -> float:
        start = finished[first - 1] if first else 0.0
        return (last - first) / (finished[last - 1] - start)

    head, tail = rate(0, quarter), rate(count - quarter, count)
    return (
        f"{database}: {count} sagas at C={concurrency}: {summary['sagas_per_second']} sagas/s; "
        f"first quarter {head:.1f}/s, last quarter {tail:.1f}/s, last/first {tail / head:.2f}"
    )


def table(cells: list[Cell]) -> list[str]:
    head = (
        "| C | saga/s | no-op/s | ratio | p50 / p99 saga | p50 / p99 no-op | server | worker "
        "| Stripe server | load generator | PostgreSQL | worker CPU ratio | worker peak RSS |"
    )
    lines = [
        "CPU in ms per order, saga (no-op); peak RSS in MB, saga worker / no-op worker.\n",
        head,
        "|" + " --- |" * (head.count("|") - 1),
    ]
    for c in cells:
        saga, noop = c.median("saga", "sagas_per_second"), c.median("noop", "sagas_per_second")
        cpu = " | ".join(f"{c.cpu('saga', p):.1f} ({c.cpu('noop', p):.1f})" for p in PROCESSES)
        worker_ratio = c.cpu("saga", "worker") / max(c.cpu("noop", "worker"), 0.01)
        lines.append(
            f"| {c.concurrency} | {saga:.1f} | {noop:.1f} | {saga / noop:.2f} | "
            f"{1000 * c.median('saga', 'p50_seconds'):.0f} / "
            f"{1000 * c.median('saga', 'p99_seconds'):.0f} ms | "
            f"{1000 * c.median('noop', 'p50_seconds'):.0f} / "
            f"{1000 * c.median('noop', 'p99_seconds'):.0f} ms | {cpu} | {worker_ratio:.2f} | "
            f"{c.rss_mb['worker']:.0f} / {c.rss_mb['noop_worker']:.0f} |"
        )
    return lines


async def main(args: argparse.Namespace) -> None:
    urls = {"sqlite": "", "postgresql": args.postgres_url}
    for database in args.databases:
        cells = []
        for concurrency in args.concurrency:
            count = max(args.min_count, args.per_concurrency * concurrency)
            print(
                f"{database} C={concurrency}: {args.reps} x {count} each ", end="", file=sys.stderr
            )
            cells.append(
                await measure_cell(database, urls[database], concurrency, args.reps, count)
            )
            print(file=sys.stderr)
        print(f"\n### {database} (median of {args.reps} interleaved repetitions)\n")
        print("\n".join(table(cells)))
        if args.long:
            print(
                "\n" + await long_cell(database, urls[database], args.long, args.long_concurrency)
            )
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
    asyncio.run(main(parser.parse_args()))
