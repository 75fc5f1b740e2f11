"""The payments row never disagrees with Stripe: when the database is gone right after Stripe
charged, the activity retries (the key replays Stripe's answer) until the row records it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine

from order_saga.audit import Outcome, audit
from order_saga.client import order_result
from order_saga.db.engine import make_engine
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.temporal import connect
from order_saga.worker_group import build_worker
from testkit.tcp_proxy import tcp_proxy
from tests.helpers import order, orders_queue, payment_and_shipment
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga

OUTAGE_SECONDS = 20  # longer than the three quick retries a step had before


async def test_a_charge_whose_row_write_fails_is_recorded_on_retry(
    dev_server: str,
    engine: Engine,
    stripe_server,
    queue_prefix: str,
    make_product,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("a database that can go away: PostgreSQL (DATABASE_URL)")
    stripe_state, base_url = stripe_server
    url = engine.url
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        confirm = stripe_state.ledger.confirm_intent

        def confirm_then_lose_the_database(intent_id: str, params: Any) -> Any:
            answer = confirm(intent_id, params)
            if not proxy.cut_once:
                proxy.cut_once = True
                proxy.cut()  # Stripe has charged; the row cannot be written now
                threading.Timer(OUTAGE_SECONDS, proxy.restore).start()
            return answer

        monkeypatch.setattr(stripe_state.ledger, "confirm_intent", confirm_then_lose_the_database)
        behind_proxy = make_engine(url.set(port=proxy.port).render_as_string(hide_password=False))
        request = order((make_product(stock=2), 1, "19.99")).model_copy(
            update={"handover_delay_seconds": 0}
        )
        settings = Settings(stripe_api_base=base_url, queue_prefix=queue_prefix)
        client = await connect(dev_server)
        try:
            async with build_worker(client, settings=settings, engine=behind_proxy):
                result = await order_result(
                    await client.start_workflow(
                        OrderSaga.run,
                        request,
                        id=request.workflow_id,
                        task_queue=orders_queue(queue_prefix),
                    )
                )
        finally:
            behind_proxy.dispose()

    assert result.status == SagaState.COMPLETED
    assert stripe_state.requests_with_key(f"{request.workflow_id}/confirm") >= 2  # replayed
    payment, _ = payment_and_shipment(engine, request.order_id)
    assert payment is not None and payment.status == "Captured"
    books = audit(
        engine,
        make_stripe_client(Settings(stripe_api_base=base_url)),
        {request.order_id: Outcome(SagaState.COMPLETED, request.total)},
    )
    assert books.clean, books
