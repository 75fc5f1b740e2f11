"""A rolling deploy's SIGTERM: the worker stops polling and lets the Stripe calls in flight
finish before it exits, so none is cancelled half-way."""

from __future__ import annotations

import asyncio
import signal

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from order_saga.client import order_result, start_order
from tests.helpers import order, until
from tests.history import activity_attempts
from tests.processes import read_until, start_worker, stop_worker
from workflows.order_state import SagaState

ORDERS = 4


async def test_sigterm_lets_the_gateway_calls_in_flight_finish(
    dev_server, cli_env, stripe_server, queue_prefix, make_product, placement
) -> None:
    stripe, _ = stripe_server
    stripe.faults.latency_ms = 2000  # every Stripe call takes two seconds
    client = await Client.connect(dev_server, data_converter=pydantic_data_converter)
    sku = make_product(stock=ORDERS)
    worker = start_worker(dev_server, cli_env, "--placement", placement)
    try:
        handles = []
        for _ in range(ORDERS):
            request = order((sku, 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})
            handles.append(await start_order(client, request, queue_prefix))

        async def all_in_flight() -> bool:  # each order's create reached the (slow) gateway
            return all(stripe.requests_with_key(f"{h.id}/create") for h in handles)

        await until(all_in_flight)
        worker.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(worker.communicate, timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    logs = stderr.decode()
    assert worker.returncode == 0, logs[-2000:]
    assert "Traceback" not in logs and "CancelledError" not in logs, logs[-2000:]

    stripe.faults.latency_ms = 0
    worker = start_worker(dev_server, cli_env, "--placement", placement)
    try:
        # Colocated, the stopping worker may have run the sagas to their end already: their
        # steps are local to the workflow task it finishes before it exits.
        results = [await order_result(handle) for handle in handles]
        read_until(worker, "worker polling", 60, stream="stderr")  # then SIGTERM is handled
    finally:
        stop_worker(worker)
    assert [r.status for r in results] == [SagaState.COMPLETED] * ORDERS
    # Each create that was in flight at SIGTERM finished in its first attempt.
    assert [await activity_attempts(h, "create_payment_intent") for h in handles] == [1] * ORDERS
