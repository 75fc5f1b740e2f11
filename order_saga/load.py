"""Load: start many sagas against whatever stack a client points at, C in flight at a time,
and measure throughput, start-to-result latency and outcomes."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from temporalio.client import Client

from order_saga.client import OrderHandle, order_result, start_order, wait_for_end
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult
from workflows.search_attributes import ORDER_STATUS

# What each kind of order in the mix asks for: a payment method and a destination.
KINDS = {
    "success": ("pm_card_visa", "US"),
    "decline": ("pm_card_chargeDeclined", "US"),
    "reject": ("pm_card_visa", "AQ"),  # the carrier refuses: charged, then refunded
}


def parse_mix(spec: str) -> dict[str, float]:
    """`success=0.8,decline=0.1,reject=0.1` as weights; an unknown kind names the known ones."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, _, weight = part.partition("=")
        if kind not in KINDS:
            raise ValueError(f"--mix: unknown kind {kind!r}; known: {', '.join(KINDS)}")
        try:
            mix[kind] = float(weight)
        except ValueError as err:
            raise ValueError(f"--mix: {part!r}: the weight must be a number") from err
        if mix[kind] < 0:
            raise ValueError(f"--mix: {part!r}: the weight must not be negative")
    if not sum(mix.values()):
        raise ValueError("--mix: give at least one kind a weight above 0")
    return mix


@dataclass
class LoadReport:
    count: int
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # seconds from the start, in order
    outcomes: Counter[str] = field(default_factory=Counter)

    def percentile(self, share: float) -> float:
        """Start-to-result latency below which `share` of the sagas finished, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, object]:
        """The figures as one JSON-ready object."""
        return {
            "count": self.count,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3),
            "sagas_per_second": round(self.count / self.seconds, 2) if self.seconds else 0.0,
            "p50_seconds": round(self.percentile(0.50), 3),
            "p95_seconds": round(self.percentile(0.95), 3),
            "p99_seconds": round(self.percentile(0.99), 3),
            **self.halves(),
            "outcomes": dict(sorted(self.outcomes.items())),
        }

    def halves(self) -> dict[str, float]:
        """Sagas per second over the first and the second half of the results: a run that slows
        as it goes (something piling up) shows a second half slower than its first."""
        done = sorted(self.finished)
        if len(done) < 2:
            return {}
        middle = len(done) // 2
        first = middle / done[middle - 1] if done[middle - 1] else 0.0
        rest = done[-1] - done[middle - 1]
        second = (len(done) - middle) / rest if rest else 0.0
        return {
            "first_half_sagas_per_second": round(first, 2),
            "second_half_sagas_per_second": round(second, 2),
        }


def make_order(
    kind: str, index: int, run: str, catalogue: dict[str, str], rng: random.Random
) -> OrderRequest:
    """One order of `kind`, for one unit of a catalogue product."""
    payment_method, country = KINDS[kind]
    sku = rng.choice(sorted(catalogue))
    return OrderRequest.model_validate(
        {
            "order_id": f"load-{run}-{index}",
            "customer_id": f"load-{run}",
            "items": [{"sku": sku, "quantity": 1, "unit_price": catalogue[sku]}],
            "payment_method": payment_method,
            "shipping_address": {
                "street": "1 Main St",
                "city": "Springfield",
                "zip_code": "62701",
                "country": country,
            },
            "handover_delay_seconds": 0,
        }
    )


async def run_saga(client: Client, order: OrderRequest, queue_prefix: str) -> str:
    """Start the order's saga and wait for it: its final state."""
    return await outcome_of(await start_order(client, order, queue_prefix))


async def outcome_of(handle: OrderHandle) -> str:
    """How a saga ended, once it has: its result's state, or for a cancelled or failed run
    the OrderStatus it ended with."""
    try:
        result: OrderResult = await order_result(handle)
        return str(result.status)
    except Exception:  # a cancelled or failed run: its OrderStatus says how it ended
        await wait_for_end(handle)
        described = await handle.describe()
        return described.typed_search_attributes.get(ORDER_STATUS) or "FAILED"


Execute = Callable[[Client, OrderRequest, str], Awaitable[str]]


async def run_load(
    client: Client,
    queue_prefix: str,
    *,
    count: int,
    concurrency: int,
    mix: dict[str, float],
    catalogue: dict[str, str],
    on_done: Callable[[], None] = lambda: None,
    seed: int | None = None,
    execute: Execute = run_saga,
) -> LoadReport:
    """Start `count` sagas, at most `concurrency` at a time, and wait for each result
    (`execute` runs one order: the saga, or a benchmark's baseline)."""
    rng, run = random.Random(seed), uuid.uuid4().hex[:8]
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=count)
    gate = asyncio.Semaphore(concurrency)
    report = LoadReport(count=count, concurrency=concurrency, seconds=0.0)

    async def one(index: int, kind: str) -> None:
        async with gate:
            order = make_order(kind, index, run, catalogue, rng)
            began = time.perf_counter()
            outcome = await execute(client, order, queue_prefix)
            ended = time.perf_counter()
            report.latencies.append(ended - began)
            report.finished.append(ended - start)
            report.outcomes[outcome] += 1
            on_done()

    start = time.perf_counter()
    await asyncio.gather(*(one(i, kind) for i, kind in enumerate(kinds)))
    report.seconds = time.perf_counter() - start
    return report
