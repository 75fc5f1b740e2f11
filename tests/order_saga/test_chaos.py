"""Chaos, CI-sized: sagas down every path while the worker is SIGKILLed at random moments and
restarted; afterwards every saga is final, the books balance (`order_saga.audit`), every
ended order's customer got its one mail (by Message-ID) in the local mailbox, and a webhook
subscriber got every order's events, once each in effect, in order."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from activities.notification.rendering import sender_domain
from order_saga.audit import Outcome, audit
from order_saga.embedded.local_stripe.cards import AUTHENTICATION_REQUIRED
from order_saga.embedded.mailbox import Mailbox, local_mail_server
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.temporal import connect
from testkit.chaos_actions import start_all
from testkit.chaos_kit import KilledWorker, final_state, keep_killing, subscribed
from testkit.chaos_mix import hold_for_review, order_mix
from testkit.chaos_paths import UNSERVED_FROM, SagaPath, expected_total
from testkit.chaos_returns import send_back
from testkit.mail_audit import MailBooks, expected_mails, mail_books
from testkit.subscriber import (
    LAST_EVENT,
    Subscriber,
    out_of_order,
    serve_subscriber,
    until_every_order_told,
)
from tests.ports import free_port
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState

SAGAS = 34  # every path of the mix at least once (many twice)
AMENDED: dict[str, Decimal] = {}  # the total of each order amended to fewer units
CHAOS_SECONDS = 30  # how long the worker keeps being killed
STOCK, PRICE = 500, Decimal("10.00")


async def chaos(
    client: Client,
    orders: list[tuple[SagaPath, OrderRequest]],
    prefix: str,
    env: dict[str, str],
    log: IO[bytes],
    mailbox: Mailbox,
    engine: Engine,
    tally: Counter[str],
) -> tuple[list[SagaState], MailBooks, KilledWorker]:
    """Run the orders while the worker is killed again and again, and the returns of those
    marked for one as soon as they ship; their ends and the mails."""
    worker = KilledWorker(client.service_client.config.target_host, env, log)
    worker.start()
    stop = asyncio.Event()
    killing = asyncio.create_task(keep_killing(worker, stop, random.Random(7), (0.5, 3.0)))
    try:
        handles, cancels = await start_all(client, orders, prefix, AMENDED)
        queue = f"{prefix}-orders"
        returns = [
            asyncio.create_task(send_back(client, engine, p, o, h, queue, tally))
            for (p, o), h in zip(orders, handles, strict=True)
        ]
        await asyncio.sleep(CHAOS_SECONDS)  # the chaos lasts this long
        stop.set()
        await killing
        states = [await final_state(handle) for handle in handles]
        await asyncio.gather(*cancels)
        await asyncio.gather(*returns)
        domain = sender_domain(Settings().mail_from)
        mails = await mail_books(mailbox, expected_mails([o for _, o in orders], states, domain))
        return states, mails, worker
    finally:
        stop.set()
        worker.stop()


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
    east = [make_product(stock=0, price=str(PRICE), elsewhere={"east": STOCK})]
    run = uuid.uuid4().hex[:6]
    orders = order_mix(SAGAS, skus, PRICE, run=run, east_skus=east)
    hold_for_review(engine, run)
    client = await connect(dev_server)
    hook = Subscriber()
    async with serve_subscriber(hook) as hook_url, subscribed(engine, hook, hook_url):
        with (
            (tmp_path / "worker.log").open("wb") as log,
            local_mail_server(tmp_path / "mail", port=free_port()) as (mailbox, smtp_url),
        ):
            # The subscriber listens on this machine: a deployment that says it sends there.
            env = {**cli_env, "SMTP_URL": smtp_url, "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
                   "UNSERVED_FROM": UNSERVED_FROM}  # fmt: skip
            tally: Counter[str] = Counter()
            states, mails, worker = await chaos(
                client, orders, queue_prefix, env, log, mailbox, engine, tally
            )
            # Deliveries go on after the orders ended: a worker must be there to send them.
            deliverer = KilledWorker(dev_server, env, log)
            deliverer.start()
            try:
                ends = {o.order_id: str(s) for (_, o), s in zip(orders, states, strict=True)}
                told = await until_every_order_told(hook, ends)
            finally:
                deliverer.stop()

    assert worker.kills >= 8
    assert states == [path.expected for path, _ in orders]
    books = audit(
        engine,
        make_stripe_client(Settings(stripe_api_base=stripe_server[1])),
        {
            order.order_id: Outcome(state, AMENDED.get(order.order_id, expected_total(path, order)))
            for (path, order), state in zip(orders, states, strict=True)
        },
        initial_stock={
            **dict.fromkeys(skus, STOCK),
            **dict.fromkeys(east, 0),  # none at home
            **{f"{s}@east": STOCK for s in east},
        },
    )
    assert books.clean, books  # refunds within what was captured, stock conserved
    marked = Counter(p.returned for p, _ in orders if p.returned)
    assert tally == {
        "returns opened": sum(marked.values()),
        "returns refused": marked["race"],  # the second of two returns racing for it all
        "returns refunded": sum(marked.values()),
    }, tally
    refused = [o.order_id for p, o in orders if p.expected == SagaState.COMPENSATION_FAILED]
    assert books.compensation_failed == refused
    # Each order's end mail, or for those waiting for a person the delay's; and the bank's.
    asked = sum(order.payment_method in AUTHENTICATION_REQUIRED for _, order in orders)
    assert len(mails.expected) == len(orders) + asked
    assert len([m for m in mails.expected if ".delayed@" in m]) == len(refused)
    assert mails.clean, (mails.missing, mails.unexpected)
    # Every order's events: started first, its end last, each once in effect, in order.
    untold = {o: t for o, t in told.items() if not t or t[-1] != LAST_EVENT[ends[o]]}
    assert not untold, untold
    assert all(types[0] == "order.started" for types in told.values())
    assert out_of_order(hook) == [] and hook.forged == 0
