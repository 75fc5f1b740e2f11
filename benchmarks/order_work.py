"""The saga's six forward calls, reserve, assess the risk, create the intent, confirm it, book
the shipment, capture, as its worker wires them (the same engine, Stripe client and
breaker), without the saga: the work that the kinds `direct`, `floor-work` and `dbos-work`
run, so the saga is set against engines doing the same work, not none."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.testing import ActivityEnvironment

from activities.inventory.contracts import ReserveInventoryInput
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import (
    CapturePaymentInput,
    ChargePaymentInput,
    CreatePaymentIntentInput,
)
from activities.risk.activities import RiskActivities
from activities.risk.contracts import AssessRiskInput
from activities.shipment.contracts import CreateShipmentInput
from benchmarks.bench_setup import pool_size
from order_saga.db.engine import make_engine
from order_saga.service_wiring import service_activities
from order_saga.settings import Settings
from order_saga.worker_options import MAX_CONCURRENT_ACTIVITIES
from workflows.order_request import OrderRequest

Step = Callable[[Any], Any]
Call = Callable[[OrderRequest, str, Any], Awaitable[Any]]  # one step of one order, by name
SERVICES = ("inventory", "payment", "shipment")


def work_steps(settings: Settings) -> dict[str, Step]:
    """The step functions by activity name, wired as the colocated worker wires them."""
    engine = make_engine(settings.database_url, pool_size=pool_size())
    breaker = GatewayBreaker(  # the worker's, without its gauge (there is no client)
        fail_max=settings.breaker_fail_max,
        reset_timeout=timedelta(seconds=settings.breaker_reset_seconds),
    )
    wired = {"settings": settings, "engine": engine, "breaker": breaker}
    steps = {
        function.__name__: function
        for service in SERVICES
        for function in service_activities(service, client=None, **wired)  # type: ignore[arg-type]
    }
    return steps | {"assess_risk": RiskActivities(engine).assess_risk}  # the saga's worker's


class OrderWork:
    """One order's six calls in sequence, each in a thread as a worker runs a step; the
    caller awaits the order (`run`), at most as many steps at once as a worker has threads."""

    def __init__(self, settings: Settings) -> None:
        self._steps = work_steps(settings)
        self._threads = ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES)

    async def step(self, order: OrderRequest, name: str, arg: Any) -> Any:
        """One call, in an activity's context (the saga's id is the order's workflow id)."""
        environment = ActivityEnvironment()
        environment.info = dataclasses.replace(environment.info, workflow_id=order.workflow_id)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, environment.run, self._steps[name], arg)

    async def run(self, order: OrderRequest) -> str:
        """The order's calls, each by `step`."""
        return await saga_calls(order, self.step)


async def authorize(
    order: OrderRequest, call: Call, owner: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Reserve, assess the risk, create the intent and confirm it, each by `call` (directly,
    or as an engine's step), for `owner` (the order, and the saga's run where there is one);
    what the later calls need of it (the owner, the money, the intent)."""
    owner = owner or {"order_id": order.order_id}
    key = order.workflow_id
    reserved = await call(
        order,
        "reserve_inventory",
        ReserveInventoryInput(**owner, currency=order.currency, items=order.items),
    )
    money = {"amount": reserved.total, "currency": reserved.currency}
    risk = AssessRiskInput(**owner, **money, customer_id=order.customer_id)
    await call(order, "assess_risk", risk)
    intent = await call(
        order,
        "create_payment_intent",
        CreatePaymentIntentInput(
            **owner,
            **money,
            customer_id=order.customer_id,
            payment_method=order.payment_method,
            idempotency_key=key,
            capture_method="manual",
        ),
    )
    paid = {**owner, **money, "payment_intent_id": intent.payment_intent_id}
    await call(order, "charge_payment", ChargePaymentInput(**paid, idempotency_key=key))
    return paid


async def saga_calls(order: OrderRequest, call: Call, owner: dict[str, Any] | None = None) -> str:
    """Reserve, assess, create, confirm (`authorize`), then ship and capture."""
    owner = owner or {"order_id": order.order_id}
    paid = await authorize(order, call, owner)
    await call(
        order, "create_shipment", CreateShipmentInput(**owner, address=order.shipping_address)
    )
    key = order.workflow_id
    await call(order, "capture_payment", CapturePaymentInput(**paid, idempotency_key=key))
    return "COMPLETED"
