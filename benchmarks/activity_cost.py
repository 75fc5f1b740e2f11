"""CPU per call of each forward activity, without Temporal: what a saga's worker spends on
its own work (database and Stripe) beyond what the engine costs.

    python -m benchmarks.activity_cost --orders 300
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks.activity_cost

The activities run in this process through `ActivityEnvironment`, as the worker runs them
(same engine, same Stripe client and breaker); the local Stripe server runs in a process
of its own, so its CPU is not counted. The figure is this thread's CPU time per call.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.testing import ActivityEnvironment

from activities.inventory.contracts import ReserveInventoryInput
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import ChargePaymentInput, CreatePaymentIntentInput
from activities.risk.activities import RiskActivities
from activities.risk.contracts import AssessRiskInput
from activities.shipment.contracts import CreateShipmentInput
from benchmarks.bench_setup import free_port, prepare, wait_for_port
from benchmarks.bench_stack import CLI
from order_saga.db.engine import make_engine
from order_saga.service_wiring import service_activities
from order_saga.settings import Settings
from workflows.order_request import OrderRequest

WARM_UP = 20
STEPS = (
    "reserve_inventory",
    "assess_risk",
    "create_payment_intent",
    "charge_payment",
    "create_shipment",
)


def an_order(run: str, index: int) -> OrderRequest:
    return OrderRequest.model_validate(
        {
            "order_id": f"cost-{run}-{index}",
            "customer_id": "cust-cost",
            "items": [{"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}],
            "payment_method": "pm_card_visa",
            "shipping_address": {"street": "1 Main", "city": "X", "zip_code": "1", "country": "US"},
        }
    )


def run_orders(
    activities: dict[str, Callable[..., Any]], orders: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Each order's forward steps; CPU and wall seconds per step, after a warm-up."""
    spent, waited = dict.fromkeys(STEPS, 0.0), dict.fromkeys(STEPS, 0.0)
    run = uuid.uuid4().hex[:6]
    for index in range(orders + WARM_UP):
        order = an_order(run, index)
        environment = ActivityEnvironment()
        environment.info = dataclasses.replace(environment.info, workflow_id=order.workflow_id)

        def step(name: str, arg: Any, index: int = index, env: Any = environment) -> Any:
            began, wall = time.thread_time(), time.perf_counter()
            result = env.run(activities[name], arg)
            if index >= WARM_UP:
                spent[name] += time.thread_time() - began
                waited[name] += time.perf_counter() - wall
            return result

        oid, key = order.order_id, order.workflow_id
        reserved = step(
            "reserve_inventory",
            ReserveInventoryInput(order_id=oid, currency="usd", items=order.items),
        )
        step(
            "assess_risk",
            AssessRiskInput(
                order_id=oid, customer_id=order.customer_id, amount=reserved.total, currency="usd"
            ),
        )
        intent = step(
            "create_payment_intent",
            CreatePaymentIntentInput(
                order_id=oid,
                customer_id=order.customer_id,
                amount=reserved.total,
                currency="usd",
                payment_method=order.payment_method,
                idempotency_key=key,
            ),
        )
        step(
            "charge_payment",
            ChargePaymentInput(
                order_id=oid,
                payment_intent_id=intent.payment_intent_id,
                amount=reserved.total,
                currency="usd",
                idempotency_key=key,
            ),
        )
        step("create_shipment", CreateShipmentInput(order_id=oid, address=order.shipping_address))
    return spent, waited


async def main(orders: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="order-saga-activity-cost-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'orders.db'}"
    prepare(url)
    port = free_port()
    stripe = await asyncio.create_subprocess_exec(
        *(sys.executable, "-c", CLI, "stripe-server", "--port", str(port)),
        *("--state-file", str(workdir / "stripe.json")),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_for_port(port, stripe)
        settings = Settings(database_url=url, stripe_api_base=f"http://127.0.0.1:{port}")
        engine = make_engine(url)
        breaker = GatewayBreaker(fail_max=5, reset_timeout=timedelta(seconds=30))
        activities: dict[str, Callable[..., Any]] = {}
        for service in ("inventory", "payment", "shipment"):
            for function in service_activities(
                service,
                client=None,
                settings=settings,
                engine=engine,
                breaker=breaker,  # type: ignore[arg-type]
            ):
                activities[function.__name__] = function
        activities["assess_risk"] = RiskActivities(engine).assess_risk  # the saga's worker's
        spent, waited = await asyncio.to_thread(run_orders, activities, orders)
    finally:
        stripe.terminate()
        await stripe.wait()
    print(f"{orders} orders on {engine.url.get_backend_name()}: ms per call, CPU and wall")
    for name, seconds in spent.items():
        print(
            f"  {name}: {1000 * seconds / orders:.2f} CPU, {1000 * waited[name] / orders:.2f} wall"
        )
    total, wall = sum(spent.values()), sum(waited.values())
    print(f"  all of them: {1000 * total / orders:.2f} CPU, {1000 * wall / orders:.2f} wall")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    asyncio.run(main(parser.parse_args().orders))
