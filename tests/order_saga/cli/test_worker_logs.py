"""What the worker logs for an operator: an expected business failure in one line, an
unexpected one with its traceback, and one JSON object a line with --log-format json."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import datetime

from tests.processes import order_saga, start_worker

ADDRESS = ["--street", "1 Main St", "--city", "Springfield", "--zip-code", "62701"]


def stopped(worker: subprocess.Popen[bytes]) -> str:
    worker.terminate()
    _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0, stderr.decode()[-2000:]
    return stderr.decode()


async def order_with(sku: str, payment_method: str, dev_server: str, env: dict[str, str]) -> int:
    done = await asyncio.to_thread(
        order_saga, "start", "--wait", "--customer-id", "c-logs", "--item", f"{sku}:1:19.99",
        *ADDRESS, "--payment-method", payment_method, "--address", dev_server, env=env,
    )  # fmt: skip
    return done.returncode


async def test_a_decline_is_one_json_line_without_a_traceback(
    dev_server, cli_env, make_product
) -> None:
    worker = start_worker(dev_server, cli_env, "--log-format", "json")
    try:
        outcome = await order_with(make_product(), "pm_card_chargeDeclined", dev_server, cli_env)
    finally:
        logs = stopped(worker)
    assert outcome == 3  # COMPENSATED
    records = [json.loads(line) for line in logs.splitlines()]  # every line is one object
    about_it = [r for r in records if "declined" in json.dumps(r)]
    assert [(r["level"], r["message"].split(" ({")[0]) for r in about_it] == [
        ("INFO", "CardDeclined: Your card was declined."),
        ("WARNING", "step charge_payment failed: Your card was declined."),
    ]
    assert not any("exc_info" in r for r in about_it)
    # RFC 3339 with its zone, and the context as fields, not a dict in the message
    assert all(datetime.fromisoformat(r["time"]).tzinfo is not None for r in records)
    assert all("({" not in r["message"] for r in records)
    assert about_it[0]["temporal_activity"]["activity_type"] == "charge_payment"


async def test_an_unexpected_failure_keeps_its_traceback(dev_server, cli_env, make_product) -> None:
    env = {**cli_env, "STRIPE_API_KEY": "sk_nope"}  # the gateway refuses the key itself
    worker = start_worker(dev_server, env)
    try:
        outcome = await order_with(make_product(), "pm_card_visa", dev_server, cli_env)
    finally:
        logs = stopped(worker)
    assert outcome == 3
    assert "Completing activity as failed" in logs and "Traceback" in logs
    assert "GatewayAuthentication" in logs
    failed = next(line for line in logs.splitlines() if "Completing activity as failed" in line)
    assert failed.endswith("activity_type=create_payment_intent attempt=1]"), failed
    assert "({" not in failed
