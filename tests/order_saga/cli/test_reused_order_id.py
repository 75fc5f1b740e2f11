"""One order, one saga, through the `temporal` CLI as a careless integrator would use it: a new
run under a delivered, a compensated or a running order's workflow id (terminating the running
one) changes nothing, and a reset of the order's own run stays the order (same run chain): it
charges nothing twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from order_saga.binaries import find_binary
from tests.helpers import order_data, orders_queue, payment_and_shipment, stock
from tests.processes import order_saga


def temporal(*args: str, dev_server: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_binary("temporal"), *args, "--address", dev_server],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def books(engine, stripe, order_id: str, sku: str) -> tuple[object, ...]:
    payment, shipment = payment_and_shipment(engine, order_id)
    intents = stripe.ledger.intents_of_order(order_id)
    return (
        payment and (payment.status, payment.transaction_id, payment.amount),
        shipment and (shipment.status, shipment.tracking_number),
        [(i["id"], i["status"], i["amount_received"]) for i in intents],
        [r["id"] for i in intents for r in stripe.ledger.refunds_of(i["id"])],
        stock(engine, sku),
    )


# The first order's outcome, the second start's conflict policy, and what `status` then says.
CASES = [
    ("completed", None, "COMPLETED", 0),
    ("compensated", None, "COMPENSATED", 3),
    ("running", "TerminateExisting", "TERMINATED", 9),
]


async def status_of(order_id: str, dev_server: str, env: dict[str, str]) -> tuple[int, dict]:
    shown = await asyncio.to_thread(
        order_saga, "status", order_id, "-o", "json", "--address", dev_server, env=env
    )
    return shown.returncode, json.loads(shown.stdout or "{}")


@pytest.mark.parametrize(("outcome", "conflict", "state", "code"), CASES, ids=[c[0] for c in CASES])
async def test_a_second_run_from_the_temporal_cli_leaves_the_first_order_alone(
    dev_server, cli_env, worker_process, engine, stripe_server, queue_prefix, make_product,
    tmp_path: Path, outcome: str, conflict: str | None, state: str, code: int,
) -> None:  # fmt: skip
    stripe, _ = stripe_server
    sku = make_product(stock=5)
    first = order_data(
        order_id=f"cli-{uuid.uuid4().hex[:8]}",
        items=[{"sku": sku, "quantity": 2, "unit_price": "19.99"}],
        handover_delay_seconds=3600 if outcome == "running" else 0,
    )
    if outcome == "compensated":
        first["shipping_address"]["country"] = "AQ"  # no carrier serves it
    order_file = tmp_path / "first.json"
    order_file.write_text(json.dumps(first))
    wait = [] if outcome == "running" else ["--wait"]
    done = await asyncio.to_thread(
        order_saga, "start", "--order-file", str(order_file), *wait, "--address", dev_server,
        env=cli_env,
    )  # fmt: skip
    assert done.returncode == {"completed": 0, "compensated": 3}.get(outcome, 0), done.stderr
    order_id, workflow_id = first["order_id"], f"order-{first['order_id']}"
    deadline = time.monotonic() + 60
    while (
        outcome == "running"
        and (await status_of(order_id, dev_server, cli_env))[1].get("status") != "AWAITING_HANDOVER"
    ):
        assert time.monotonic() < deadline, "the first order never booked its shipment"
        await asyncio.sleep(0.2)  # polling the order's own status, with a deadline
    before = books(engine, stripe, order_id, sku)

    again = {**first, "shipping_address": {**first["shipping_address"], "country": "AQ"}}
    policy = ["--id-conflict-policy", conflict] if conflict else []
    started = await asyncio.to_thread(
        temporal, "workflow", "execute", "--type", "OrderSaga", "--task-queue",
        orders_queue(queue_prefix), "--workflow-id", workflow_id, "--input", json.dumps(again),
        *policy, dev_server=dev_server,
    )  # fmt: skip
    assert started.returncode != 0 and "is refused and changes nothing" in started.stdout
    returncode, shown = await status_of(order_id, dev_server, cli_env)
    assert (returncode, shown["status"]) == (code, state), shown
    assert any("was refused" in notice for notice in shown["notices"])
    assert books(engine, stripe, order_id, sku) == before
    if outcome != "completed":
        return

    # A reset of the first run continues its chain: the same order, replayed, nothing twice.
    runs = await asyncio.to_thread(
        temporal, "workflow", "list", "--query", f"WorkflowId = '{workflow_id}'", "-o", "json",
        dev_server=dev_server,
    )  # fmt: skip
    first_run = sorted(json.loads(runs.stdout), key=lambda r: r["startTime"])[0]
    reset = await asyncio.to_thread(
        temporal, "workflow", "reset", "-w", workflow_id, "-r",
        first_run["execution"]["runId"], "--type", "FirstWorkflowTask", "--reason", "test",
        "--yes", dev_server=dev_server,
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    result = await asyncio.to_thread(
        temporal, "workflow", "result", "-w", workflow_id, dev_server=dev_server
    )
    assert result.returncode == 0 and "COMPLETED" in result.stdout, result.stdout + result.stderr
    assert books(engine, stripe, order_id, sku) == before
