"""How soon a checkout learns the payment's answer, and the order's end, p50/p99 at each
concurrency, in both placements: Update-with-Start (`Prefer: wait=N`), eager start then
polling the status (the best before it), a plain start then polling, and the engine's own
floor (a one-task workflow whose update answers at once). Figures, not a timed test.

    python -m benchmarks.checkout --orders 100 --concurrency 1 10 50

Each placement on a fresh in-memory dev server, the local Stripe server and SQLite, its
worker in this process (so an eager start is taken by it). Polls ask every 20 ms. With
DBOS_POSTGRES_URL and the `dbos` extra, DBOS too: the same four calls as no-op steps, the
answer an event set after the charge.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import Client

from activities.inventory.catalogue import stocked_prices
from benchmarks.checkout_floor import floor_checkout
from benchmarks.checkout_work import work_checkout, work_worker
from benchmarks.one_process import worker_here
from order_saga.client import order_result, start_order
from order_saga.client.checkout import checkout, payment_outcome
from order_saga.client.status import query_status
from workflows.order_request import OrderRequest
from workflows.placement import PLACEMENTS, Placement

POLL_SECONDS = 0.02
Timed = tuple[float, float]  # seconds to the first answer, to the end
Run = Callable[[Client, str, OrderRequest], Awaitable[Timed]]


def an_order(run: str, n: int) -> OrderRequest:
    sku, price = next(iter(stocked_prices().items()))
    return OrderRequest.model_validate(
        {
            "order_id": f"co-{run}-{n}",
            "customer_id": "bench",
            "items": [{"sku": sku, "quantity": 1, "unit_price": price}],
            "payment_method": "pm_card_visa",
            "shipping_address": {"street": "1 Main St", "city": "Springfield",
                                 "zip_code": "62701", "country": "US"},
            "handover_delay_seconds": 0,
        }
    )  # fmt: skip


async def update_with_start(client: Client, prefix: str, order: OrderRequest) -> Timed:
    began = time.perf_counter()
    answered = await checkout(client, order, prefix, wait=10)
    first = time.perf_counter() - began
    await order_result(answered.handle)
    return first, time.perf_counter() - began


def polling(eager: bool) -> Run:
    async def run(client: Client, prefix: str, order: OrderRequest) -> Timed:
        began = time.perf_counter()
        handle = await start_order(client, order, prefix, eager=eager)
        while payment_outcome(await query_status(handle)) is None:
            await asyncio.sleep(POLL_SECONDS)  # the storefront's poll
        first = time.perf_counter() - began
        await order_result(handle)
        return first, time.perf_counter() - began

    return run


def the_floor(queue: str) -> Run:
    async def run(client: Client, prefix: str, order: OrderRequest) -> Timed:
        began = time.perf_counter()
        await floor_checkout(client, queue, f"floor-{order.order_id}")
        elapsed = time.perf_counter() - began
        return elapsed, elapsed

    return run


def with_the_work(queue: str) -> Run:
    async def run(client: Client, prefix: str, order: OrderRequest) -> Timed:
        began = time.perf_counter()
        await work_checkout(client, queue, order)
        elapsed = time.perf_counter() - began
        return elapsed, elapsed

    return run


def dbos_checkout() -> Run:
    from benchmarks.dbos_order import run_dbos_checkout

    async def run(client: Client, prefix: str, order: OrderRequest) -> Timed:
        return await run_dbos_checkout(order.order_id)

    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(client: Client, prefix: str, run: Run, orders: int, concurrency: int) -> Any:
    tag, gate = uuid.uuid4().hex[:6], asyncio.Semaphore(concurrency)

    async def one(n: int) -> Timed:
        async with gate:
            return await run(client, prefix, an_order(tag, n))

    timed = await asyncio.gather(*(one(n) for n in range(orders)))
    firsts, ends = [t[0] * 1000 for t in timed], [t[1] * 1000 for t in timed]
    return [percentile(firsts, 0.5), percentile(firsts, 0.99), percentile(ends, 0.5),
            percentile(ends, 0.99)]  # fmt: skip


async def main(orders: int, concurrencies: list[int], placements: list[Placement]) -> None:
    print("| placement | C | path | first answer p50 / p99 | end p50 / p99 |")
    print("| --- | --- | --- | --- | --- |")
    for placement in placements:
        async with worker_here("checkout", placement, beside=work_worker) as (client, prefix):
            floor_queue = f"{prefix}-floor"
            paths: dict[str, Run] = {
                "floor (one-task update)": the_floor(floor_queue),
                "floor with the work (its three calls, local)": with_the_work(floor_queue),
                "Update-with-Start": update_with_start,
                "eager start + poll": polling(eager=True),
                "start + poll": polling(eager=False),
            }
            await measure(client, prefix, update_with_start, 10, 5)  # warm up
            for concurrency in concurrencies:
                for name, run in paths.items():
                    f50, f99, e50, e99 = await measure(client, prefix, run, orders, concurrency)
                    print(
                        f"| {placement} | {concurrency} | {name} | {f50:.0f} / {f99:.0f} ms "
                        f"| {e50:.0f} / {e99:.0f} ms |",
                        flush=True,
                    )
    postgres = os.environ.get("DBOS_POSTGRES_URL")
    if postgres and importlib.util.find_spec("dbos") is not None:  # last: it shuts the loop's
        await peer(postgres, orders, concurrencies)  # default executor down as it ends


async def peer(postgres: str, orders: int, concurrencies: list[int]) -> None:
    """DBOS, its four calls no-op steps and the answer an event after the charge."""
    from benchmarks import dbos_order

    system = dbos_order.system_database(postgres)
    dbos_order.launch(system)
    try:
        for concurrency in concurrencies:
            f50, f99, e50, e99 = await measure(None, "", dbos_checkout(), orders, concurrency)  # type: ignore[arg-type]
            print(f"| dbos | {concurrency} | no-op steps, event after the charge | {f50:.0f} / "
                  f"{f99:.0f} ms | {e50:.0f} / {e99:.0f} ms |", flush=True)  # fmt: skip
    finally:
        dbos_order.shut_down(system)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100, help="orders per path and C")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--placement", choices=PLACEMENTS, nargs="+", default=list(PLACEMENTS))
    arguments = parser.parse_args()
    chosen: list[Placement] = arguments.placement
    asyncio.run(main(arguments.orders, arguments.concurrency, chosen))
