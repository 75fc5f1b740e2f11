"""Chaos with figures: sagas down every path while the worker is killed every 0.5-3 s, the dev
server is killed and restarted, and the database goes away; then the books are audited.

    python -m benchmarks.chaos --sagas 200                      # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks.chaos

Everything is real and local: the tuned dev server (its own process, state on disk, so it
can be killed and restarted), `order-saga-worker` processes, the local Stripe server and the
database; PostgreSQL goes away behind a TCP proxy, SQLite by a writer holding its lock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

from activities.notification.rendering import sender_domain
from benchmarks.chaos_faults import behind_proxy, dev_server, outage
from order_saga.audit import Outcome, audit
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.serving import start as start_stripe
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint
from order_saga.embedded.mailbox import local_mail_server
from order_saga.embedded.ports import wait_for_temporal
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from testkit.chaos_actions import start_all
from testkit.chaos_disputes import (
    close_dispute,
    disputes_disagreeing,
    until_disputes_told,
    webhook_api,
)
from testkit.chaos_kit import KilledWorker, final_state, keep_killing, subscribed
from testkit.chaos_mix import hold_for_review, order_mix, stock_up
from testkit.chaos_paths import UNSERVED_FROM, expected_total
from testkit.chaos_returns import send_back
from testkit.first_step import spread, waits_to_first_step
from testkit.mail_audit import expected_mails, mail_books
from testkit.subscriber import (
    LAST_EVENT,
    Subscriber,
    out_of_order,
    serve_subscriber,
    until_every_order_told,
)

STOCK, PRICE = 100_000, Decimal("10.00")


async def main(sagas: int, restarts: int, outage_seconds: float, chaos_seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="order-saga-chaos-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'orders.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    run = uuid.uuid4().hex[:6]
    skus, east, initial = stock_up(engine, run, STOCK, PRICE)  # two SKUs only in the east
    port = 17000 + random.randint(0, 999)
    address = f"127.0.0.1:{port}"
    server = dev_server(port, workdir)
    client = await wait_for_temporal(address)
    env = {**os.environ, "QUEUE_PREFIX": (prefix := f"chaos-{run}")}
    hooks = contextlib.AsyncExitStack()  # the API taking Stripe's events, the subscriber
    secret = f"whsec_{run}"
    api_url = await hooks.enter_async_context(webhook_api(client, prefix, secret))
    # Refunds that settle later (the pending-refund path) do so in 5 s, inside the chaos.
    stripe = LocalStripe(
        ledger=Ledger(refund_settle_seconds=5),
        state_file=workdir / "stripe.json",
        webhook=WebhookEndpoint(f"{api_url}/webhooks/stripe", secret),
    )
    runner, stripe_url = await start_stripe(stripe, "127.0.0.1", 0)
    proxy, worker_url = behind_proxy(database_url)
    env.update({"DATABASE_URL": worker_url, "STRIPE_API_BASE": stripe_url})
    orders = order_mix(sagas, skus, PRICE, run, east_skus=east)
    hold_for_review(engine, run)
    rng, stop = random.Random(11), asyncio.Event()
    began = time.perf_counter()
    hook = Subscriber()  # to every event of every order, while the run lasts
    hook_url = await hooks.enter_async_context(serve_subscriber(hook))
    await hooks.enter_async_context(subscribed(engine, hook, hook_url))
    with (
        (workdir / "worker.log").open("wb") as log,
        local_mail_server(workdir / "mail", port=port + 1) as (mailbox, smtp_url),
    ):
        env["SMTP_URL"] = smtp_url
        env["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true"  # the run's subscriber is on loopback
        env["UNSERVED_FROM"] = UNSERVED_FROM  # a parcel from the east to Canada does not ship
        worker = KilledWorker(address, env, log)
        worker.start()
        killing = asyncio.create_task(keep_killing(worker, stop, rng, (0.5, 3.0)))
        handles, cancels = await start_all(client, orders, prefix, amended := {})
        tally: Counter[str] = Counter()  # the returns and disputes, as each order ships
        queue, gateway = (
            f"{prefix}-orders",
            make_stripe_client(Settings(stripe_api_base=stripe_url)),
        )
        after_sale = [
            asyncio.create_task(task)
            for (p, o), h in zip(orders, handles, strict=True)
            for task in (
                send_back(client, engine, p, o, h, queue, tally),
                close_dispute(client, stripe.ledger, gateway, p, o, h, tally),
            )
        ]
        for restart in range(restarts):
            await asyncio.sleep(chaos_seconds / (restarts + 2))  # chaos paced over the window
            server.kill()
            server.wait()
            server = dev_server(port, workdir)
            if restart == 0:
                await outage(database_url, proxy, outage_seconds)
        await asyncio.sleep(chaos_seconds / (restarts + 2))
        stop.set()
        await killing
        states = [await final_state(handle) for handle in handles]
        await asyncio.gather(*cancels)
        await asyncio.gather(*after_sale)
        elapsed = time.perf_counter() - began
        waited = await waits_to_first_step(engine, [o for _, o in orders], handles)
        domain = sender_domain(Settings().mail_from)
        mails = await mail_books(mailbox, expected_mails([o for _, o in orders], states, domain))
        ends = {o.order_id: str(s) for (_, o), s in zip(orders, states, strict=True)}
        told = await until_every_order_told(hook, ends, seconds=300)
        disputed = [o.order_id for p, o in orders if p.disputed]
        dispute_untold = await until_disputes_told(hook, disputed, seconds=120)
        worker.stop()
    await hooks.aclose()
    untold = [o for o, types in told.items() if not types or types[-1] != LAST_EVENT[ends[o]]]
    distinct = sum(len(types) for types in told.values())
    ends_as = [(o.order_id, Outcome(s, amended.get(o.order_id, expected_total(p, o))))
               for (p, o), s in zip(orders, states, strict=True)]  # fmt: skip
    books = await asyncio.to_thread(  # the Stripe server answers on this loop meanwhile
        audit, engine, gateway, dict(ends_as), initial_stock=initial
    )
    unexpected = [o.order_id for (p, o), s in zip(orders, states, strict=True) if s != p.expected]
    print(f"database {engine.dialect.name}, {sagas} sagas in {elapsed:.0f} s")
    print(f"worker kills {worker.kills}, dev-server restarts {restarts}")
    print(f"database outage {outage_seconds:.0f} s")
    print(f"start to first step       {spread(waited)}")
    for state, count in sorted(Counter(states).items()):
        print(f"  {state}: {count}")
    print(f"orders charged twice      {len(books.charged_twice)}")
    print(f"refunded beyond captured  {len(books.over_refunded)}")
    print("returns, disputes         " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    print(f"disputes not as Stripe's  {len(disputes_disagreeing(engine, stripe.ledger, disputed))}")
    print(f"units leaked              {sum(books.units_leaked.values())}")
    print(f"money left unrefunded     {len(books.money_wrong)}")
    print(f"rows disagreeing (Stripe) {len(books.rows_disagreeing)}")
    print(f"sagas unfinished          {len(books.unfinished)}")
    print(f"orphaned intents          {len(books.orphan_intents)}")
    print(f"authorizations left held  {len(books.holds_left)}")
    print(f"live shipments, not done  {len(books.live_shipment_not_completed)}")
    print(f"outcome not as expected   {len(unexpected)}")
    fewer = [
        o for (p, o) in orders if p.amend == "lines" and amended.get(o.order_id, o.total) < o.total
    ]
    print(f"captured for fewer units  {len(fewer)} of {sum(p.amend == 'lines' for p, _ in orders)}")
    split = Counter(str(s) for (p, _), s in zip(orders, states, strict=True) if p.split)
    print(f"orders in parcels         {dict(sorted(split.items()))} (stock per warehouse)")
    print(f"mails expected            {len(mails.expected)} (each end, each 3-D Secure ask)")
    print(f"mails missing             {len(mails.missing)}")
    print(f"mails not expected        {len(mails.unexpected)}")
    print(f"mails delivered twice     {mails.delivered_twice} (same Message-ID: an answer lost)")
    print(f"events received           {distinct} ({len(hook.received) - distinct} again: same id)")
    print(f"orders not fully told     {len(untold)} (disputes: {len(dispute_untold)})")
    print(f"orders told out of order  {len(out_of_order(hook))}")
    print(f"signatures not valid      {hook.forged}")
    print(f"waiting for a person      {len(books.compensation_failed)} (refused refunds)")
    server.terminate()
    server.wait()
    if proxy is not None:
        proxy.close()
    await runner.cleanup()
    engine.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sagas", type=int, default=200)
    parser.add_argument("--restarts", type=int, default=2, help="dev-server kills")
    parser.add_argument("--outage", type=float, default=30.0, help="database outage, seconds")
    parser.add_argument("--chaos", type=float, default=120.0, help="seconds of chaos")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sagas, arguments.restarts, arguments.outage, arguments.chaos))
