"""`order-saga resolve --retry` makes a refused refund succeed once the bank accepts it: the
local Stripe server's pm_card_refundFailsOnce refuses an intent's first refund only."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from pathlib import Path

from tests.order_saga.cli.test_resolve import captured, captured_order_file
from tests.processes import BIN, order_saga


async def test_a_persons_retry_refunds_what_the_bank_refused_at_first(
    dev_server, worker_process, cli_env, make_product, stripe_server, tmp_path: Path
) -> None:
    stripe, _ = stripe_server
    order_id = f"retry-{uuid.uuid4().hex[:8]}"
    args = ["--address", dev_server]
    order_file = captured_order_file(tmp_path, order_id, make_product(), "pm_card_refundFailsOnce")
    started = await asyncio.to_thread(
        subprocess.run,
        [BIN / "order-saga", "start", "--order-file", str(order_file), *args],
        env=cli_env, capture_output=True, text=True,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    deadline = time.monotonic() + 60
    while not await asyncio.to_thread(captured, order_id, dev_server, cli_env):
        assert time.monotonic() < deadline, "never captured"
        await asyncio.sleep(0.2)  # polling the order's status, with a deadline
    cancel = await asyncio.to_thread(order_saga, "cancel", order_id, *args, env=cli_env)
    assert cancel.returncode == 6, cancel.stdout + cancel.stderr  # the bank refused the refund

    retried = await asyncio.to_thread(
        order_saga, "resolve", order_id, "--retry", "-o", "json", *args, env=cli_env
    )
    assert retried.returncode == 0, retried.stdout + retried.stderr  # done as asked
    answer = json.loads(retried.stdout)
    assert (answer["status"], answer["waiting_for_person"]) == ("CANCELLED", False)
    assert answer["compensation_failures"] == []
    shown = await asyncio.to_thread(order_saga, "status", order_id, *args, env=cli_env)
    assert shown.returncode == 4 and f"order {order_id}: CANCELLED" in shown.stdout
    [intent] = stripe.ledger.intents_of_order(order_id)
    refunds = stripe.ledger.refunds_of(str(intent["id"]))
    assert [(r["status"], r["amount"]) for r in refunds] == [("failed", 1999), ("succeeded", 1999)]
