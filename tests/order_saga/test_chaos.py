"""Chaos, CI-sized: sagas down every path while the worker is SIGKILLed at random moments and
restarted; afterwards every saga is final and the books balance (`order_saga.audit`)."""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from order_saga.audit import Outcome, audit
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.temporal import connect
from testkit.chaos_kit import KilledWorker, final_state, keep_killing, order_mix, start_all
from workflows.order_state import SagaState

SAGAS = 34  # every path of the mix at least once (most twice)
CHAOS_SECONDS = 30  # how long the worker keeps being killed
STOCK, PRICE = 500, Decimal("10.00")


@pytest.mark.timeout(600)
async def test_sagas_come_out_right_through_worker_kills(
    dev_server: str,
    engine: Engine,
    stripe_server,
    cli_env: dict[str, str],
    queue_prefix: str,
    make_product,
    tmp_path: Path,
) -> None:
    skus = [make_product(stock=STOCK, price=str(PRICE)) for _ in range(3)]
    orders = order_mix(SAGAS, skus, PRICE, run=uuid.uuid4().hex[:6])
    client = await connect(dev_server)
    with (tmp_path / "worker.log").open("wb") as log:
        worker = KilledWorker(dev_server, cli_env, log)
        worker.start()
        stop = asyncio.Event()
        killing = asyncio.create_task(keep_killing(worker, stop, random.Random(7), (0.5, 3.0)))
        try:
            handles, cancels = await start_all(client, orders, queue_prefix)
            await asyncio.sleep(CHAOS_SECONDS)  # the chaos lasts this long
            stop.set()
            await killing
            states = [await final_state(handle) for handle in handles]
            await asyncio.gather(*cancels)
        finally:
            stop.set()
            worker.stop()

    assert worker.kills >= 8
    assert states == [path.expected for path, _ in orders]
    books = audit(
        engine,
        make_stripe_client(Settings(stripe_api_base=stripe_server[1])),
        {
            order.order_id: Outcome(state, order.total)
            for (_, order), state in zip(orders, states, strict=True)
        },
        initial_stock=dict.fromkeys(skus, STOCK),
    )
    assert books.clean, books
    refused = [o.order_id for p, o in orders if p.expected == SagaState.COMPENSATION_FAILED]
    assert books.compensation_failed == refused
