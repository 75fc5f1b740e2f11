"""Builders shared by the tests: orders, queues, settings, keys; the rows a user would
read; a poll with a deadline. A saga's history is read by tests/history.py, its waits by
tests/waits.py."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select
from temporalio.client import WorkflowHandle

from activities.database import transaction
from activities.inventory.stock import stock_of
from activities.payment.tables import Payment
from activities.queues import queue
from activities.shipment.tables import Shipment
from order_saga.access import api_keys
from order_saga.access.roles import Role
from order_saga.settings import Settings
from workflows.order_request import OrderRequest
from workflows.order_state import WORKFLOW_TYPE, OrderResult

# Every activity of a saga whose last step failed, in the order the history shows them.
FULL_UNDO = [
    "reserve_inventory",
    "assess_risk",  # nothing to undo: it only reads the rules
    "create_payment_intent",
    "charge_payment",
    "create_shipment",
    "cancel_shipment",
    "refund_payment",
    "release_inventory",
]


def order_data(**changes: Any) -> dict[str, Any]:
    """The README's order request as JSON-ready data, with fields replaced."""
    data: dict[str, Any] = {
        "customer_id": "cust-123",
        "items": [{"sku": "prod-456", "quantity": 2, "unit_price": "19.99"}],
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "shipping_address": {
            "street": "123 Main St",
            "city": "Springfield",
            "state": "IL",
            "zip_code": "62701",
            "country": "US",
        },
    }
    data.update(changes)
    return data


def order(
    *items: tuple[str, int, str],
    payment_method: str = "pm_card_visa",
    country: str = "US",
    currency: str = "usd",
) -> OrderRequest:
    data = order_data(
        order_id=f"t-{uuid.uuid4().hex[:12]}",
        items=[{"sku": s, "quantity": q, "unit_price": Decimal(p)} for s, q, p in items],
        currency=currency,
        payment_method=payment_method,
    )
    data["shipping_address"]["country"] = country
    return OrderRequest.model_validate(data)


def orders_queue(prefix: str) -> str:
    """The queue a saga starts on, for a test's task-queue prefix."""
    return queue(prefix, "orders")


def clean_env() -> dict[str, str]:
    """This process's environment without the settings tests point elsewhere."""
    overridden = ("DATABASE_URL", "STRIPE_API_BASE", "STRIPE_API_KEY", "QUEUE_PREFIX")
    return {k: v for k, v in os.environ.items() if k not in overridden}


def payment_and_shipment(engine: Engine, order_id: str) -> tuple[Payment | None, Shipment | None]:
    """The order's payments and shipments rows, as a user would look them up."""
    with transaction(engine) as session:
        payment = session.exec(select(Payment).where(Payment.order_id == order_id)).first()
        shipment = session.exec(select(Shipment).where(Shipment.order_id == order_id)).first()
        return payment, shipment


def stock(engine: Engine, sku: str) -> int | None:
    """Units of the SKU on hand."""
    with transaction(engine) as session:
        return stock_of(session=session, sku=sku)


async def until(check: Callable[[], Any], seconds: float = 30) -> None:
    """Poll a condition with a deadline (the test waits on the saga, not on the clock)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def worker_settings(stripe_base_url: str, queue_prefix: str) -> Settings:
    """A test worker's settings: the given Stripe server, no SDK retries under Temporal's,
    order events sent to the test's subscribers on this machine."""
    return Settings(
        stripe_api_base=stripe_base_url,
        queue_prefix=queue_prefix,
        stripe_max_network_retries=0,
        webhook_allow_private_targets=True,
    )


async def start_saga(
    env: Any, request: OrderRequest, queue_prefix: str
) -> WorkflowHandle[Any, Any]:
    """The saga of `request`, started straight on the test's orders queue."""
    return await env.client.start_workflow(
        WORKFLOW_TYPE,
        request,
        id=request.workflow_id,
        task_queue=orders_queue(queue_prefix),
        result_type=OrderResult,
    )


def new_key_for(engine: Engine, role: Role, name: str | None = None) -> tuple[str, str]:
    """A fresh API key of `role` in the test database: (name, key)."""
    name = name or f"{role}-{uuid.uuid4().hex[:8]}"
    with transaction(engine) as session:
        return name, api_keys.create(session=session, name=name, role=role)
