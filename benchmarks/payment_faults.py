"""Run many sagas through a faulty gateway and count the money that went wrong.

    python -m benchmarks.payment_faults --sagas 200 \\
        --faults 'execute_then_timeout=0.2,http_500=0.1,seed=1'

Everything is real and local: the tuned Temporal dev server, the local Stripe server
injecting the faults, SQLite (or DATABASE_URL) and a worker in this process. A fifth of
the orders ship to AQ, so their charge must be refunded. Prints throughput, latency, and
the two figures that must be zero: orders charged twice, and orders charged but not
shipped whose money was not given back.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from sqlmodel import select

from activities.database import transaction
from activities.inventory.tables import Product
from activities.queues import queue
from activities.shipment.tables import Shipment, ShipmentStatus
from benchmarks.bench_setup import free_port
from order_saga.client import order_result
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.local_stripe.faults import Faults
from order_saga.embedded.local_stripe.serving import start
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.temporal_server import start_local_server
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult
from workflows.order_workflow import OrderSaga

SKU, PRICE = "bench-widget", Decimal("10.00")


def make_order(index: int, run_id: str) -> OrderRequest:
    return OrderRequest.model_validate(
        {
            "order_id": f"bench-{run_id}-{index}",
            "customer_id": f"cust-{index % 17}",
            "items": [{"sku": SKU, "quantity": 1 + index % 3, "unit_price": str(PRICE)}],
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "handover_delay_seconds": 0,
            "shipping_address": {
                "street": "1 Main St",
                "city": "Springfield",
                "zip_code": "62701",
                "country": "AQ" if index % 5 == 4 else "US",
            },
        }
    )


def audit(stripe: LocalStripe, engine_url: str, orders: list[OrderRequest]) -> dict[str, int]:
    """Money per order from the gateway's own ledger, shipments from the database."""
    charged: dict[str, list[dict[str, object]]] = defaultdict(list)
    for intent in stripe.ledger.intents.values():
        if intent["status"] == "succeeded":
            charged[intent["metadata"]["order_id"]].append(intent)
    engine = make_engine(engine_url)
    with transaction(engine) as session:
        shipped = {
            s.order_id for s in session.exec(select(Shipment)) if s.status == ShipmentStatus.CREATED
        }
    engine.dispose()
    twice = unrefunded = shipped_unpaid = 0
    for order in orders:
        intents = charged.get(order.order_id, [])
        taken = sum(int(str(i["amount_received"])) for i in intents)
        given_back = sum(
            r["amount"]
            for i in intents
            for r in stripe.ledger.refunds_of(str(i["id"]))
            if r["status"] == "succeeded"
        )
        expected = int(PRICE * 100) * sum(item.quantity for item in order.items)
        twice += len(intents) > 1 or taken > expected
        unrefunded += order.order_id not in shipped and taken - given_back > 0
        shipped_unpaid += order.order_id in shipped and taken - given_back != expected
    return {
        "charged_twice": twice,
        "charged_not_shipped_unrefunded": unrefunded,
        "shipped_not_charged_in_full": shipped_unpaid,
    }


async def main(sagas: int, concurrency: int, faults: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="order-saga-bench-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'orders.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    with transaction(engine) as session:
        product = session.get(Product, SKU) or Product(sku=SKU, name=SKU, unit_price=PRICE)
        product.stock = 1_000_000
        session.add(product)
    stripe = LocalStripe(faults=Faults.parse(faults), state_file=workdir / "stripe.json")
    runner, stripe_url = await start(stripe, "127.0.0.1", 0)
    settings = Settings(
        database_url=database_url,
        stripe_api_base=stripe_url,
        queue_prefix=f"bench-{uuid.uuid4().hex[:6]}",
    )
    run_id = uuid.uuid4().hex[:6]
    orders = [make_order(i, run_id) for i in range(sagas)]
    latencies: list[float] = []
    results: list[OrderResult] = []
    gate = asyncio.Semaphore(concurrency)
    server = await start_local_server(port=free_port(), db_file=workdir / "temporal.db")
    client = server.client
    try:

        async def one(order: OrderRequest) -> None:
            async with gate:
                began = time.perf_counter()
                results.append(
                    await order_result(
                        await client.start_workflow(
                            OrderSaga.run,
                            order,
                            id=order.workflow_id,
                            task_queue=queue(settings.queue_prefix, "orders"),
                        )
                    )
                )
                latencies.append(time.perf_counter() - began)

        async with build_worker(client, settings=settings, engine=engine):
            began = time.perf_counter()
            await asyncio.gather(*(one(order) for order in orders))
            elapsed = time.perf_counter() - began
    finally:
        await server.shutdown()
        await runner.cleanup()

    outcomes: dict[str, int] = defaultdict(int)
    for result in results:
        outcomes[f"{result.status}" + (f" ({result.error_type})" if result.error_type else "")] += 1
    latencies.sort()
    print(f"sagas {sagas}, concurrency {concurrency}, faults {faults!r}")
    print(f"gateway requests {len(stripe.requests)}; database {engine.url.get_backend_name()}")
    print(
        f"elapsed {elapsed:.1f} s, {sagas / elapsed:.1f} sagas/s, "
        f"p50 {statistics.median(latencies):.2f} s, "
        f"p99 {latencies[int(0.99 * (len(latencies) - 1))]:.2f} s"
    )
    for outcome, count in sorted(outcomes.items()):
        print(f"  {outcome}: {count}")
    for name, count in audit(stripe, database_url, orders).items():
        print(f"{name}: {count}")
    engine.dispose()


if __name__ == "__main__":
    for noisy in ("temporalio.activity", "temporalio.workflow"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)  # injected faults, by the hundred
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sagas", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--faults", default="execute_then_timeout=0.2,http_500=0.1,seed=1")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sagas, arguments.concurrency, arguments.faults))
