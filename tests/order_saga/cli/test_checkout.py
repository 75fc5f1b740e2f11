"""`order-saga start --wait payment` as a process against a real dev server and worker: the
payment's answer and its exit code (0 authorized, 10 the bank asks the customer, printing the
page, the order's own code when it ended without the money); the saga goes on."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

from tests.helpers import order_data
from tests.processes import order_saga


async def test_start_waits_for_the_payments_answer_alone(
    dev_server, worker_process, cli_env, make_product, stripe_server, tmp_path: Path
) -> None:
    sku = make_product(stock=5)

    def started(payment_method: str, *words: str) -> asyncio.Future:  # type: ignore[type-arg]
        order_file = tmp_path / f"{uuid.uuid4().hex}.json"
        order_file.write_text(
            json.dumps(
                order_data(
                    order_id=f"co-{uuid.uuid4().hex[:8]}",
                    items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
                    payment_method=payment_method,
                )
            )
        )
        args = ["start", "--order-file", str(order_file), *words, "--address", dev_server]
        return asyncio.ensure_future(asyncio.to_thread(order_saga, *args, env=cli_env))

    held, asked, declined, misused = await asyncio.gather(
        started("pm_card_visa", "--wait", "payment"),
        started("pm_card_threeDSecure2Required", "--wait", "payment"),
        started("pm_card_chargeDeclined", "--wait", "payment", "-o", "json"),
        started("pm_card_visa", "payment"),
    )
    assert held.returncode == 0, held.stdout + held.stderr
    assert "payment authorized (19.99 USD)" in held.stdout
    assert asked.returncode == 10, asked.stdout + asked.stderr
    assert f"authenticate at {stripe_server[1]}" in asked.stdout
    assert declined.returncode == 3, declined.stdout + declined.stderr  # COMPENSATED
    told = json.loads(declined.stdout)
    assert told["status"] == "COMPENSATED"
    assert [s["error_type"] for s in told["steps"] if s["state"] == "FAILED"] == ["CardDeclined"]
    assert misused.returncode == 1 and "only after --wait" in misused.stderr
