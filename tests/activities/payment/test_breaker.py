"""The payment gateway's circuit breaker: it stops traffic while open, and only outages count."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from decimal import Decimal

import pybreaker
import stripe

from activities.payment.breaker import GatewayBreaker
from order_saga.client import order_result
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue
from tests.history import activity_attempts
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga


def intents(stripe_state: LocalStripe, order_id: str, status: str = "succeeded") -> list[str]:
    return [str(i["id"]) for i in stripe_state.ledger.intents_of_order(order_id, status)]


class Transitions(pybreaker.CircuitBreakerListener):
    def __init__(self, on_change) -> None:  # type: ignore[no-untyped-def]
        self.on_change = on_change

    def state_change(self, cb, old, new) -> None:  # type: ignore[no-untyped-def]
        self.on_change(new.name)


async def test_breaker_stops_traffic_until_half_open_then_the_saga_completes(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    stripe_state, base_url = stripe_server
    loop = asyncio.get_running_loop()

    def server_time() -> datetime:  # the breaker follows the skipped clock, not the wall
        return asyncio.run_coroutine_threadsafe(env.get_current_time(), loop).result()

    requests_at: dict[str, int] = {}

    def on_change(state: str) -> None:
        requests_at.setdefault(state, len(stripe_state.requests))
        if state == "open":
            stripe_state.faults.clear()  # the gateway recovers while the circuit is open

    breaker = GatewayBreaker(
        fail_max=5,
        reset_timeout=timedelta(seconds=120),  # longer than the step's retry backoff
        clock=server_time,
        listeners=[Transitions(on_change)],
    )
    settings = Settings(
        stripe_api_base=base_url,
        queue_prefix=queue_prefix,
        stripe_max_network_retries=0,
        placement=placement,
    )
    stripe_state.faults.rates["http_500"] = 1.0
    request = order((make_product(stock=2), 1, "19.99"))

    async with build_worker(env.client, settings=settings, engine=engine, breaker=breaker):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        done = await order_result(handle)

    # Five 500s open the circuit; the next attempt fails at once (GatewayCircuitOpen) and
    # waits out the time left; the one after, half-open, goes through: an outage delays.
    assert done.status == SagaState.COMPLETED
    assert requests_at["open"] == requests_at["half-open"]  # nothing reached the gateway
    assert await activity_attempts(handle, "create_payment_intent") == 7
    description = await handle.describe()
    assert description.close_time is not None
    assert description.close_time - description.start_time >= timedelta(seconds=120)
    assert breaker.state == "closed"
    assert len(intents(stripe_state, request.order_id)) == 1
    assert Decimal(done.total or 0) == Decimal("19.99")


def test_breaker_failures_of_declines_do_not_count() -> None:
    breaker = GatewayBreaker(fail_max=2)

    def decline() -> None:
        raise stripe.CardError("declined", param=None, code="card_declined")

    for _ in range(5):
        with contextlib.suppress(stripe.CardError):
            breaker.call(decline)
    assert breaker.state == "closed"
