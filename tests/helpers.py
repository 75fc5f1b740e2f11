"""Builders and history readers shared by the tests."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from activities.database import transaction
from activities.inventory.repository import stock_of
from activities.notification.webhook_activities import FIND_SUBSCRIBERS
from activities.payment.tables import Payment
from activities.queues import queue
from activities.shipment.tables import Shipment
from order_saga.access import api_keys
from order_saga.access.roles import Role
from order_saga.client import OrderHandle, start_order
from order_saga.order_events import local_call
from order_saga.settings import Settings
from workflows.order_request import OrderRequest
from workflows.order_state import STATUS_QUERY, WORKFLOW_TYPE, OrderResult, SagaState, SagaStatus
from workflows.search_attributes import ORDER_STATUS

# Every activity of a saga whose last step failed, in the order the history shows them.
FULL_UNDO = [
    "reserve_inventory",
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


async def scheduled_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The steps and undos, by activity name, in the order the workflow called them, read
    from its history (local ones, colocated, from their markers: one per call, not per
    retry); the saga's lookup of event subscribers at its start is left out."""
    names = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names.append(event.activity_task_scheduled_event_attributes.activity_type.name)
        elif (call := local_call(event)) is not None and not call.retrying:
            names.append(call.activity)
    return [name for name in names if name != FIND_SUBSCRIBERS.name]


async def activity_attempts(handle: WorkflowHandle[Any, Any], name: str) -> int:
    """Attempts of the named activity that ended (started events and local-activity markers
    carry the attempt number)."""
    scheduled: dict[int, str] = {}
    attempts = 0
    async for event in handle.fetch_history_events():
        if (call := local_call(event)) is not None:
            if call.activity == name:
                attempts = max(attempts, call.attempt)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attrs.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs2 = event.activity_task_started_event_attributes
            if scheduled.get(attrs2.scheduled_event_id) == name:
                attempts = max(attempts, attrs2.attempt)
    return attempts


async def activity_events(handle: WorkflowHandle[Any, Any]) -> list[tuple[str, str]]:
    """(event, activity) pairs in history order: scheduled, completed, failed, cancelled..."""
    names: dict[int, str] = {}
    events = []
    async for event in handle.fetch_history_events():
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_ACTIVITY_TASK_")
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
            events.append((kind, names[event.event_id]))
        elif kind != EventType.Name(event.event_type):
            attributes = getattr(event, f"activity_task_{kind.lower()}_event_attributes")
            events.append((kind, names.get(attributes.scheduled_event_id, "?")))
    return events


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


async def started_and_waiting(
    client: Client, requests: list[OrderRequest], queue_prefix: str, seconds: float = 60
) -> list[OrderHandle]:
    """Start the sagas and return once each waits for the carrier (its steps so far done).

    Read from `OrderStatus`, as the Web UI shows it: the server answers, not a worker."""
    handles = [await start_order(client, request, queue_prefix) for request in requests]

    async def waiting() -> bool:
        states = [(await h.describe()).typed_search_attributes.get(ORDER_STATUS) for h in handles]
        return all(s == SagaState.AWAITING_HANDOVER for s in states)

    await until(waiting, seconds=seconds)
    return handles


async def until_closed(handle: WorkflowHandle[Any, Any], seconds: float = 90) -> None:
    """Poll until the workflow has started and closed: for a child its saga abandoned, whose
    retries the time-skipping server does not skip through."""

    async def closed() -> bool:
        try:
            status = (await handle.describe()).status
        except RPCError:
            return False  # not started yet
        return status not in (None, WorkflowExecutionStatus.RUNNING)

    await until(closed, seconds=seconds)


async def cancel_requested(handle: WorkflowHandle[Any, Any]) -> bool:
    """Whether the cancel request has reached the saga's history."""
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            return True
    return False


async def captured_before_pickup(handle: WorkflowHandle[Any, Any]) -> SagaStatus:
    """The saga's status once it captured the payment and still waits for pickup (an order
    whose capture window is shorter than its wait): from here a cancel refunds."""
    found: list[SagaStatus] = []

    async def captured() -> bool:
        found[:] = [await handle.query(STATUS_QUERY, result_type=SagaStatus)]
        capture = next(s for s in found[0].steps if s.name == "capture_payment")
        return found[0].status == "AWAITING_HANDOVER" and capture.state == "DONE"

    await until(captured)
    return found[0]


def captured_then_waiting(request: OrderRequest) -> OrderRequest:
    """The order, captured a second in while its parcel waits an hour for pickup (a timer
    that short fires in real time: no time skipping, which a detached void can wedge)."""
    return request.model_copy(update={"handover_delay_seconds": 3600, "capture_window_seconds": 1})


async def waiting_for_person(handle: WorkflowHandle[Any, Any]) -> SagaStatus:
    """The saga's status once it waits for a person to settle a failed undo."""
    found: list[SagaStatus] = []

    async def waiting() -> bool:
        found[:] = [await handle.query(STATUS_QUERY, result_type=SagaStatus)]
        return found[0].waiting_for_person

    await until(waiting)
    return found[0]


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
