"""One order, one saga, through the `temporal` CLI as a careless integrator would use it: a new
run under a delivered order's workflow id changes nothing, and a reset of the order's own run
stays the order (same run chain): it charges nothing twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from pathlib import Path

from order_saga.binaries import find_binary
from tests.cli.conftest import order_saga
from tests.helpers import order_data, orders_queue, payment_and_shipment, stock


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


async def test_a_second_run_from_the_temporal_cli_leaves_a_delivered_order_alone(
    dev_server, cli_env, worker_process, engine, stripe_server, task_queue, make_product,
    tmp_path: Path,
) -> None:  # fmt: skip
    stripe, _ = stripe_server
    sku = make_product(stock=5)
    first = order_data(
        order_id=f"cli-{uuid.uuid4().hex[:8]}",
        items=[{"sku": sku, "quantity": 2, "unit_price": "19.99"}],
        handover_delay_seconds=0,
    )
    order_file = tmp_path / "first.json"
    order_file.write_text(json.dumps(first))
    done = await asyncio.to_thread(
        order_saga, "start", "--order-file", str(order_file), "--wait", "--address", dev_server,
        env=cli_env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    order_id, workflow_id = first["order_id"], f"order-{first['order_id']}"
    before = books(engine, stripe, order_id, sku)

    again = {**first, "shipping_address": {**first["shipping_address"], "country": "AQ"}}
    started = await asyncio.to_thread(
        temporal, "workflow", "execute", "--type", "OrderSaga", "--task-queue",
        orders_queue(task_queue), "--workflow-id", workflow_id, "--input", json.dumps(again),
        dev_server=dev_server,
    )  # fmt: skip
    assert started.returncode != 0 and "is refused and changes nothing" in started.stdout
    status = await asyncio.to_thread(
        order_saga, "status", order_id, "-o", "json", "--address", dev_server, env=cli_env
    )
    assert status.returncode == 0, status.stderr  # the order is still the delivered one
    shown = json.loads(status.stdout)
    assert shown["state"] == "COMPLETED" and "was refused" in shown["notices"][0]
    assert books(engine, stripe, order_id, sku) == before

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
