"""The throughput benchmark's figures: each repetition's, a cell's medians, and the table
with the ratios the targets are set on."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from benchmarks.bench_stack import WORKERS
from benchmarks.history_cost import COLUMNS

PROCESSES = ("server", "worker", "stripe", "load", "postgres")
KINDS = ("saga", "noop", "colocated", "floor", "dbos", "direct", "floor-work", "dbos-work")
# The ratios the targets are set on: (kind, against); the last two tell what the engines
# cost over the work itself.
RATIOS = (
    ("saga", "noop"),
    ("colocated", "floor-work"),
    ("colocated", "dbos-work"),
    ("colocated", "floor"),
    ("colocated", "saga"),
    ("floor-work", "direct"),
    ("dbos-work", "direct"),
)


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
    cost: dict[str, dict[str, float]] = field(default_factory=dict)  # per order, by kind

    def median(self, kind: str, key: str) -> float:
        return statistics.median(float(r.summary[key]) for r in self.reps if r.kind == kind)

    def cpu(self, kind: str, process: str) -> float:
        return statistics.median(r.cpu_ms.get(process, 0.0) for r in self.reps if r.kind == kind)


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
    lines += ["", "| C | kind | " + " | ".join(COLUMNS) + " |", "|" + " --- |" * (len(COLUMNS) + 2)]
    for c in cells:
        for kind, cost in c.cost.items():
            figures = " | ".join(f"{cost.get(name, 0):.0f}" for name in COLUMNS)
            lines.append(f"| {c.concurrency} | {kind} | {figures} |")
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
