"""`python -m tests.workflows.recording [--placement P] [--only OUTCOME]`: see the package."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from decimal import Decimal

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.inventory.catalogue import seed_catalogue
from activities.inventory.stock import set_stock
from activities.notification import subscribers
from activities.notification.events import EVENT_TYPES
from activities.notification.signing import new_secret
from activities.risk import admin
from order_saga.binaries import find_binary
from order_saga.client import start_order
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.local_stripe.serving import start
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.visibility import register_search_attributes
from order_saga.worker_group import build_worker
from testkit.subscriber import Subscriber, serve_subscriber
from tests.workflows.recording.outcomes import (
    EAST_STOCK,
    EVERY_OUTCOME,
    HELD_CUSTOMER,
    OUTCOMES,
    UNSERVED_FROM,
    told,
)
from tests.workflows.recording.special import record_checkout, record_special, save
from workflows.placement import PLACEMENTS, Placement


async def record(placement: Placement, only: str | None) -> None:
    """Every outcome (or `only` one of the real ones) in `placement`, on a fresh database,
    local Stripe and time-skipping server, with a subscriber to every order event."""
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/orders.db")
    upgrade(engine)
    seed_catalogue(engine)
    async with serve_subscriber(subscriber := Subscriber(secret=new_secret())) as url:
        with transaction(engine) as session:
            subscribers.add(
                session=session, url=url, events=list(EVENT_TYPES), secret=subscriber.secret
            )
            admin.set_limit(session=session, customer_id=HELD_CUSTOMER, currency="usd",
                            amount=Decimal("1"), window_hours=24, by="record")  # fmt: skip
            for sku, units in EAST_STOCK.items():
                set_stock(session=session, sku=sku, warehouse="east", units=units)
        runner, base_url = await start(LocalStripe(), "127.0.0.1", 0)
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=find_binary("temporal-test-server"),
            data_converter=pydantic_data_converter,
        )
        try:
            await register_search_attributes(env.client)
            settings = Settings(
                stripe_api_base=base_url,
                queue_prefix="record",
                placement=placement,
                webhook_allow_private_targets=True,
                unserved_from=UNSERVED_FROM,
            )
            async with build_worker(env.client, settings=settings, engine=engine):
                for name, (request, then) in OUTCOMES.items():
                    if only in (None, name):
                        handle = await start_order(env.client, told(request), "record")
                        await then(env.client, handle)
                        await save(env.client, handle, name, placement)
                if only is None:
                    await record_checkout(env.client, placement)
            if only is None:
                await record_special(env, engine, placement)
        finally:
            await env.shutdown()
            await runner.cleanup()


async def main(placements: list[Placement], only: str | None) -> None:
    for placement in placements:  # one time-skipping server at a time: they share a clock
        await record(placement, only)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.workflows.recording")
    parser.add_argument("--placement", choices=PLACEMENTS, help="one placement (default: both)")
    parser.add_argument("--only", choices=list(OUTCOMES), help="one outcome of the real ones")
    arguments = parser.parse_args()
    placements = [arguments.placement] if arguments.placement else list(PLACEMENTS)
    asyncio.run(main(placements, arguments.only))
    print(f"recorded {', '.join(placements)}: {len(EVERY_OUTCOME)} outcomes each")
