"""Record real saga runs for the replay test:
`python -m tests.workflows.record_histories [--suffix .PATCH]`.

Run it after a deliberate change to the workflow, gated by `workflow.patched`, with the
patch's name as the suffix: the histories of the older code stay and must keep replaying.
Never run it to make a failing replay pass.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.inventory.catalogue import seed_catalogue
from order_saga.binaries import find_binary
from order_saga.client import order_result, start_order
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.local_stripe.app import start
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.visibility import register_search_attributes
from order_saga.worker_group import build_worker
from tests.helpers import order

HISTORIES = Path(__file__).parent / "histories"
RUNS = {
    "completed": order(("prod-456", 2, "19.99")),
    "declined": order(("prod-456", 1, "19.99"), payment_method="pm_card_chargeDeclined"),
    "shipment_rejected": order(("prod-789", 1, "49.50"), country="AQ"),
}


async def record(suffix: str) -> None:
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/orders.db")
    upgrade(engine)
    seed_catalogue(engine)
    runner, base_url = await start(LocalStripe(), "127.0.0.1", 0)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client)
    settings = Settings(stripe_api_base=base_url, task_queue="record")
    try:
        async with build_worker(env.client, settings=settings, engine=engine):
            for name, request in RUNS.items():
                handle = await start_order(env.client, request, "record")  # as users start it
                await order_result(handle)
                history = await handle.fetch_history()
                (HISTORIES / f"{name}{suffix}.json").write_text(history.to_json())
    finally:
        await env.shutdown()
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--suffix", default="", help="e.g. .fewer-search-attribute-upserts")
    asyncio.run(record(parser.parse_args().suffix))
