"""Cancelling an order at every point of its saga: what is undone, in what order, when not."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from activities.inventory.activities import InventoryActivities
from activities.inventory.contracts import ReservationResult, ReserveInventoryInput
from activities.notification.hand_over import HandOverActivities
from activities.notification.subscribers import ActiveSubscribers
from activities.queues import queue
from order_saga.service_wiring import service_activities
from order_saga.settings import Settings
from order_saga.worker_group import WorkerGroup, build_worker
from order_saga.worker_options import workflow_worker
from tests.helpers import order, orders_queue, stock, until
from tests.helpers import (
    payment_and_shipment as rows,
)
from tests.history import activity_events, scheduled_activities
from tests.waits import cancelled
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga
from workflows.payment_void import VoidPaymentIntent
from workflows.placement import Placement


def settings(stripe_server: Any, queue_prefix: str, placement: Placement) -> Settings:
    return Settings(
        stripe_api_base=stripe_server[1],
        queue_prefix=queue_prefix,
        stripe_max_network_retries=0,
        placement=placement,
    )


async def start(env: Any, request: OrderRequest, queue_prefix: str) -> WorkflowHandle[Any, Any]:
    return await env.client.start_workflow(
        OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
    )


async def test_cancel_before_reserve_returns_waits_for_it_then_releases(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    sku = make_product(stock=3)
    request = order((sku, 2, "19.99"))
    real = InventoryActivities(engine)
    entered, gate = threading.Event(), threading.Event()

    @activity.defn(name="reserve_inventory")
    def slow_reserve(req: ReserveInventoryInput) -> ReservationResult:
        entered.set()
        # Remote, the test opens the gate once the cancel reached the activity; local, the
        # worker tells the activity itself.
        while not gate.wait(0.05) and not activity.is_cancelled():
            pass
        return real.reserve_inventory(req)

    config = settings(stripe_server, queue_prefix, placement)
    async with with_reserve(env, config, engine, [slow_reserve, real.release_inventory]):
        handle = await start(env, request, queue_prefix)
        assert await asyncio.to_thread(entered.wait, 30)
        await handle.cancel(reason="customer changed their mind")

        async def cancel_reached_the_activity() -> bool:
            return ("CANCEL_REQUESTED", "reserve_inventory") in await activity_events(handle)

        if placement == "per-service":
            await until(cancel_reached_the_activity)
            gate.set()  # the reservation lands after the cancel: it must still be released
        status = await cancelled(handle)
        gate.set()

    assert (status.status, status.cancel_reason) == (
        SagaState.CANCELLED,
        "customer changed their mind",
    )
    assert await scheduled_activities(handle) == ["reserve_inventory", "release_inventory"]
    if placement == "per-service":
        events = await activity_events(handle)
        # The reservation in flight finished before its undo was even scheduled.
        assert events.index(("COMPLETED", "reserve_inventory")) < events.index(
            ("SCHEDULED", "release_inventory")
        )
    assert stock(engine, sku) == 3
    assert rows(engine, request.order_id) == (None, None)


def with_reserve(env: Any, config: Settings, engine: Any, inventory: list[Any]) -> WorkerGroup:
    """The saga's workers with `inventory` in place of the inventory service's activities:
    on the inventory queue (per service) or in the saga's worker (colocated)."""
    if config.placement == "per-service":
        queue_worker = Worker(
            env.client,
            task_queue=queue(config.queue_prefix, "inventory"),
            activities=inventory,
            activity_executor=ThreadPoolExecutor(4),
        )
        others = build_worker(
            env.client,
            settings=config,
            engine=engine,
            services=("orders", "payment", "shipment", "notification"),
        )
        return WorkerGroup([queue_worker, *others.workers])
    steps = [
        a
        for service in ("payment", "shipment")
        for a in service_activities(service, client=env.client, settings=config, engine=engine)
    ]
    return WorkerGroup(
        [
            workflow_worker(
                env.client,
                orders_queue(config.queue_prefix),
                [OrderSaga, VoidPaymentIntent],
                placement="colocated",
                local_activities=[
                    *inventory,
                    *steps,
                    HandOverActivities(env.client, ActiveSubscribers(engine).ids).hand_over,
                ],
                executor=ThreadPoolExecutor(8),
            )
        ]
    )


async def test_cancel_during_charge_retry_backoff_cancels_the_intent_and_releases(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    stripe_state, _ = stripe_server
    sku = make_product(stock=3)
    request = order((sku, 1, "19.99"))
    stripe_state.faults.force("http_500", 20, path_suffix="/confirm")
    confirm_key = f"{request.workflow_id}/confirm"

    async with build_worker(
        env.client, settings=settings(stripe_server, queue_prefix, placement), engine=engine
    ):
        handle = await start(env, request, queue_prefix)

        async def charge_failed_once() -> bool:
            return stripe_state.requests_with_key(confirm_key) >= 1

        await until(charge_failed_once)
        await handle.cancel(reason="duplicate order")
        status = await cancelled(handle)

    assert status.status == SagaState.CANCELLED
    # The refund ran and cancelled the unconfirmed intent: no money had moved, so it is
    # listed as skipped, apart from the release that gave the stock back.
    assert (status.compensations_run, status.compensations_skipped) == (
        ["release_inventory"],
        ["refund_payment"],
    )
    assert (await scheduled_activities(handle))[-2:] == ["refund_payment", "release_inventory"]
    intents = stripe_state.ledger.intents_of_order(request.order_id)
    assert [i["status"] for i in intents] == ["canceled"]  # no money moved
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Failed"
    assert shipment is None
    assert stock(engine, sku) == 3
