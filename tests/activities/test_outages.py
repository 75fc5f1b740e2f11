"""Outages delay orders; they never fail them. The database or the gateway goes away for real
(a TCP proxy resets and refuses connections) in the middle of 20 sagas on the dev server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from activities.payment.breaker import GatewayBreaker
from order_saga.audit import Outcome, audit
from order_saga.client import order_result
from order_saga.db.engine import make_engine
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.temporal import connect
from order_saga.worker_group import build_worker
from testkit.tcp_proxy import TcpProxy, tcp_proxy
from tests.helpers import order, orders_queue, payment_and_shipment
from tests.history import activity_attempts
from workflows.order_state import OrderResult, SagaState
from workflows.order_workflow import OrderSaga

OUTAGE_SECONDS = 60
SAGAS = 20
FIRST_CALLS = ("find_subscribers", "reserve_inventory", "create_payment_intent")


async def sagas_through_an_outage(
    dev_server: str,
    settings: Settings,
    engine: Engine,
    proxy: TcpProxy,
    make_product: Callable[..., str],
) -> tuple[list[OrderResult], int]:
    """Half the sagas start before the cut, half during it; returns results and attempts."""
    client = await connect(dev_server)
    requests = [
        order((make_product(stock=5), 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})
        for _ in range(SAGAS)
    ]
    # A breaker that half-opens sooner than the outage ends, so it is tried while down.
    breaker = GatewayBreaker(fail_max=settings.breaker_fail_max)
    async with build_worker(client, settings=settings, engine=engine, breaker=breaker):
        queue = orders_queue(settings.queue_prefix)
        handles = [
            await client.start_workflow(OrderSaga.run, r, id=r.workflow_id, task_queue=queue)
            for r in requests[: SAGAS // 2]
        ]
        await order_result(handles[0])  # the stack works before the outage
        proxy.cut()
        handles += [
            await client.start_workflow(OrderSaga.run, r, id=r.workflow_id, task_queue=queue)
            for r in requests[SAGAS // 2 :]
        ]
        await asyncio.sleep(OUTAGE_SECONDS)  # the injected outage lasts this long
        proxy.restore()
        async with asyncio.timeout(180):
            results = await asyncio.gather(*(order_result(h) for h in handles))
        # The first calls that meet the database or the gateway: a saga started during the
        # outage waits on its lookup of event subscribers first.
        attempts = sum([await activity_attempts(h, name) for h in handles for name in FIRST_CALLS])
    return results, attempts


def assert_all_completed(results: list[OrderResult], engine: Engine, base_url: str) -> None:
    assert [r.status for r in results] == [SagaState.COMPLETED] * SAGAS
    assert [r.compensations_run for r in results] == [[]] * SAGAS
    for result in results:
        payment, shipment = payment_and_shipment(engine, result.order_id)
        assert payment is not None and payment.status == "Captured"
        assert shipment is not None and shipment.status == "Created"
    books = audit(
        engine,
        make_stripe_client(Settings(stripe_api_base=base_url)),
        {r.order_id: Outcome(r.status, r.total or Decimal(0)) for r in results},
    )
    assert books.clean, books


@pytest.mark.timeout(300)
async def test_a_database_outage_delays_sagas_and_fails_none(
    dev_server, engine: Engine, stripe_server, queue_prefix: str, make_product
) -> None:
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("a database that can go away: PostgreSQL (DATABASE_URL)")
    url = engine.url
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        behind_proxy = make_engine(url.set(port=proxy.port).render_as_string(hide_password=False))
        # Per service here; the gateway's outage below runs colocated (the default): each
        # placement's retries ride out an outage without doubling these minute-long tests.
        settings = Settings(
            stripe_api_base=stripe_server[1], queue_prefix=queue_prefix, placement="per-service"
        )
        try:
            results, attempts = await sagas_through_an_outage(
                dev_server, settings, behind_proxy, proxy, make_product
            )
        finally:
            behind_proxy.dispose()
    assert_all_completed(results, engine, stripe_server[1])
    assert attempts > len(FIRST_CALLS) * SAGAS  # the outage was felt: calls were retried


@pytest.mark.timeout(300)
async def test_a_gateway_outage_delays_sagas_and_fails_none(
    dev_server, engine: Engine, stripe_server, queue_prefix: str, make_product
) -> None:
    _, base_url = stripe_server
    host, port = base_url.removeprefix("http://").split(":")
    with tcp_proxy(host, int(port)) as proxy:
        settings = Settings(
            stripe_api_base=f"http://127.0.0.1:{proxy.port}", queue_prefix=queue_prefix
        )
        results, attempts = await sagas_through_an_outage(
            dev_server, settings, engine, proxy, make_product
        )
    assert_all_completed(results, engine, base_url)
    assert attempts > len(FIRST_CALLS) * SAGAS
