"""`order-saga resolve` and `order-saga terminate` against the real dev server, a worker
process and the local Stripe server (whose pm_card_refundFail refuses every refund, so an
order captured before pickup and then cancelled waits for a person)."""

from __future__ import annotations

import asyncio
import getpass
import json
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import EventType

from order_saga.temporal import connect
from tests.helpers import order_data
from tests.processes import BIN, order_saga

ORDER = ["--customer-id", "c-resolve", "--street", "1 Main St", "--city", "Springfield",
         "--zip-code", "62701"]  # fmt: skip


def status_of(order_id: str, dev_server: str, env: dict[str, str]) -> dict[str, object]:
    done = order_saga("status", order_id, "-o", "json", "--address", dev_server, env=env)
    assert done.returncode in (0, 6), done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def captured(order_id: str, dev_server: str, env: dict[str, str]) -> bool:
    """Captured while the parcel still waits for pickup: a cancel from here refunds."""
    done = order_saga("status", order_id, "-o", "json", "--address", dev_server, env=env)
    if done.returncode != 0:  # not started yet
        return False
    status = json.loads(done.stdout)
    steps = {s["name"]: s["state"] for s in status.get("steps") or []}  # type: ignore[attr-defined]
    return status["status"] == "AWAITING_HANDOVER" and steps.get("capture_payment") == "DONE"


def captured_order_file(tmp_path: Path, order_id: str, sku: str, payment_method: str) -> Path:
    """An order file captured a second in, so a cancel before pickup refunds (only a
    captured payment is refunded)."""
    order_file = tmp_path / "order.json"
    order_file.write_text(
        json.dumps(
            order_data(
                order_id=order_id,
                items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
                payment_method=payment_method,
                handover_delay_seconds=3600,
                capture_window_seconds=1,
            )
        )
    )
    return order_file


async def test_a_refused_refund_waits_then_a_person_settles_it(
    dev_server, worker_process, cli_env, make_product, tmp_path: Path
) -> None:
    order_id = f"resolve-{uuid.uuid4().hex[:8]}"
    args = ["--address", dev_server]
    order_file = captured_order_file(tmp_path, order_id, make_product(), "pm_card_refundFail")
    # `start --wait` returns once the saga waits for a person, with that outcome's exit code.
    waiting = subprocess.Popen(
        [BIN / "order-saga", "start", "--order-file", str(order_file), "--wait", *args],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not await asyncio.to_thread(captured, order_id, dev_server, cli_env):
            assert time.monotonic() < deadline, "never captured"
            await asyncio.sleep(0.2)  # polling the order's status, with a deadline
        cancel = await asyncio.to_thread(order_saga, "cancel", order_id, *args, env=cli_env)
        # `cancel` (waiting for the undo) returns too once the undo needs a person: exit 6.
        assert cancel.returncode == 6, cancel.stdout + cancel.stderr
        assert f"order {order_id}: COMPENSATION_FAILED" in cancel.stdout
        out, err = await asyncio.to_thread(waiting.communicate, timeout=60)
    finally:
        waiting.kill()
    assert waiting.returncode == 6, out + err
    assert f"order {order_id}: COMPENSATION_FAILED" in out
    assert status_of(order_id, dev_server, cli_env)["waiting_for_person"]

    text = await asyncio.to_thread(order_saga, "status", order_id, *args, env=cli_env)
    assert text.returncode == 6  # COMPENSATION_FAILED
    assert f"waiting for a person: order-saga resolve {order_id} --retry" in text.stdout
    again = await asyncio.to_thread(
        order_saga, "resolve", order_id, "--retry", "--as", "bob", *args, env=cli_env
    )
    assert again.returncode == 6 and "refund_payment" in again.stdout  # the bank still refuses
    assert "retry asked by cli:bob at" in again.stdout
    no_note = await asyncio.to_thread(
        order_saga, "resolve", order_id, "--mark-resolved", *args, env=cli_env
    )
    assert (no_note.returncode, no_note.stderr) == (
        1,
        "order-saga: --mark-resolved needs --note TEXT: what was done, for the record\n",
    )
    settled = await asyncio.to_thread(
        order_saga, "resolve", order_id, "--mark-resolved", "--note", "refunded by transfer",
        "-o", "json", *args, env=cli_env,
    )  # fmt: skip
    assert settled.returncode == 0, settled.stderr
    answer = json.loads(settled.stdout)
    assert answer["resolution"]["note"] == "refunded by transfer"
    user = f"cli:{getpass.getuser()}"  # no --as: the OS user
    assert answer["resolution"]["by"] == user
    assert [(i["action"], i["by"]) for i in answer["interventions"]] == [
        ("cancel", user), ("retry", "cli:bob"), ("mark-resolved", user),
    ]  # fmt: skip
    # The history names the program that asked, its process and host (its Temporal identity).
    client = await connect(dev_server)
    identities = [
        event.workflow_execution_cancel_requested_event_attributes.identity
        async for event in client.get_workflow_handle(f"order-{order_id}").fetch_history_events()
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED
    ]
    host = re.escape(socket.gethostname())
    assert len(identities) == 1
    assert re.fullmatch(rf"order-saga cancel \d+@{host}", identities[0]), identities
    assert (answer["status"], answer["waiting_for_person"]) == ("RESOLVED", False)
    repeat = await asyncio.to_thread(
        order_saga, "resolve", order_id, "--mark-resolved", "--note", "x", *args, env=cli_env
    )
    assert repeat.returncode == 1
    assert (
        repeat.stderr
        == f"order-saga: order {order_id} is not waiting for a person (it has ended)\n"
    )


async def test_terminate_asks_for_yes_and_then_undoes_nothing(
    dev_server, worker_process, cli_env, make_product
) -> None:
    order_id = f"terminate-{uuid.uuid4().hex[:8]}"
    args = ["--address", dev_server]
    await asyncio.to_thread(
        order_saga, "start", "--order-id", order_id, "--item", f"{make_product()}:1:19.99",
        *ORDER, "--handover-delay", "3600", *args, env=cli_env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while status_of(order_id, dev_server, cli_env)["status"] != "AWAITING_HANDOVER":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)

    asked = await asyncio.to_thread(
        order_saga, "terminate", order_id, "--reason", "stuck", *args, env=cli_env
    )
    assert asked.returncode == 1
    assert "undoes nothing" in asked.stderr and "Add --yes" in asked.stderr
    done = await asyncio.to_thread(
        order_saga, "terminate", order_id, "--reason", "stuck", "--yes", *args, env=cli_env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"terminated order-{order_id}: nothing was undone (stuck)\n"
    after = await asyncio.to_thread(order_saga, "cancel", order_id, *args, env=cli_env)
    assert after.returncode == 1 and "already ended" in after.stderr
    twice = await asyncio.to_thread(
        order_saga, "terminate", order_id, "--reason", "again", "--yes", *args, env=cli_env
    )
    assert (twice.returncode, twice.stderr) == (
        1, f"order-saga: order {order_id} already ended (TERMINATED)\n"
    )  # fmt: skip
    # Every front end tells the execution's real end, not the state it was stopped in.
    shown = await asyncio.to_thread(order_saga, "status", order_id, *args, env=cli_env)
    assert shown.returncode == 9 and f"order {order_id}: TERMINATED" in shown.stdout
    assert "nothing was undone" in shown.stdout
    listed = await asyncio.to_thread(
        order_saga, "list", "--status", "terminated", "-o", "json", *args, env=cli_env
    )
    rows = [r for r in json.loads(listed.stdout) if r["workflow_id"] == f"order-{order_id}"]
    assert [r["status"] for r in rows] == ["TERMINATED"]
