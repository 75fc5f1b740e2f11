"""What a script relies on: exit codes by outcome, --output json everywhere, progress and
warnings on stderr, refused mixes of input. Configuration faults: test_one_line_faults.py."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from pathlib import Path

from order_saga.client import find_order
from order_saga.temporal import connect
from tests.helpers import order_data
from tests.processes import BIN, order_saga, read_until

ADDRESS = ["--street", "1 Main St", "--city", "Springfield", "--zip-code", "62701"]


def order_flags(sku: str, *extra: str) -> list[str]:
    return ["--customer-id", "c-script", "--item", f"{sku}:1:19.99", *ADDRESS, *extra]


async def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(order_saga, *args, env=env)


async def test_start_wait_exits_with_the_outcome_and_shows_each_step(
    dev_server, worker_process, cli_env, make_product
) -> None:
    sku = make_product(stock=5)
    common = ["start", "--wait", "--progress", "-o", "json", "--address", dev_server]
    shipped = await run(*common, *order_flags(sku, "--handover-delay", "0"), env=cli_env)
    declined = await run(
        *common, *order_flags(sku, "--payment-method", "pm_card_chargeDeclined"), env=cli_env
    )

    assert shipped.returncode == 0, shipped.stderr
    assert json.loads(shipped.stdout)["status"] == "COMPLETED"
    steps = shipped.stderr.splitlines()[1:]
    # Colocated (the worker's default), each step is one line once it ran: a local activity
    # is recorded when it ends, never scheduled on a queue.
    assert steps[:3] == [
        "  reserve_inventory done",
        "  assess_risk done",
        "  charge_payment: create_payment_intent done",
    ]
    assert "  create_shipment done" in steps
    assert declined.returncode == 3, declined.stderr  # COMPENSATED
    assert json.loads(declined.stdout)["error_type"] == "CardDeclined"
    assert "  charge_payment failed: CardDeclined: Your card was declined." in declined.stderr
    assert declined.stderr.index("charge_payment failed") < declined.stderr.index(
        "release_inventory done"
    )
    assert "  undo reserve_inventory: release_inventory done" in declined.stderr
    # Its account tells the undo that gave stock back from the payment that held nothing,
    # and lists the steps --progress named, none that will never run.
    declined_id = json.loads(declined.stdout)["order_id"]
    shown = await run("status", declined_id, "--address", dev_server, env=cli_env)
    assert "  payment: nothing taken" in shown.stdout, shown.stdout
    assert "  undone, newest first: stock released, nothing to undo for the payment\n" in (
        shown.stdout
    )
    listed = [line.split()[0] for line in shown.stdout.splitlines() if line.startswith("  ")]
    assert "create_shipment" not in listed and "capture_payment" not in listed


async def test_a_cancelled_order_exits_4_and_cancel_reports_in_json(
    dev_server, worker_process, cli_env, make_product
) -> None:
    order_id = f"script-{uuid.uuid4().hex[:8]}"
    waiting = subprocess.Popen(
        [BIN / "order-saga", "start", "--wait", "--progress", "--order-id", order_id,
         *order_flags(make_product(), "--handover-delay", "3600"), "--address", dev_server],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        read_until(waiting, "create_shipment done", seconds=60, stream="stderr")
        cancelled = await run(
            "cancel", order_id, "--reason", "changed my mind", "-o", "json",
            "--address", dev_server, env=cli_env,
        )  # fmt: skip
        out, _ = await asyncio.to_thread(waiting.communicate, timeout=60)
    finally:
        waiting.kill()
    assert cancelled.returncode == 0, cancelled.stderr
    assert json.loads(cancelled.stdout)["status"] == "CANCELLED"
    assert waiting.returncode == 4
    assert out.decode().startswith(f"order {order_id}: CANCELLED\n  changed my mind")


async def test_start_without_a_worker_says_so_instead_of_hanging(
    dev_server, cli_env, make_product
) -> None:
    order_id = f"script-{uuid.uuid4().hex[:8]}"
    waiting = subprocess.Popen(
        [BIN / "order-saga", "start", "--wait", "--order-id", order_id,
         *order_flags(make_product()), "--address", dev_server],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        said = read_until(waiting, "\n", seconds=30, stream="stderr")
        said += read_until(waiting, "order-saga-worker", seconds=30, stream="stderr")
    finally:
        waiting.kill()
        waiting.communicate()
    queue = f"{cli_env['QUEUE_PREFIX']}-orders"
    assert f"order-saga: no worker polls task queue {queue}; the order waits" in said
    handle, _ = await find_order(await connect(dev_server), order_id)
    await handle.terminate("test over")


async def test_every_command_speaks_json(dev_server, worker_process, cli_env, make_product) -> None:
    order_id = f"script-{uuid.uuid4().hex[:8]}"
    flags = order_flags(make_product(), "--handover-delay", "3600", "--order-id", order_id)
    started = await run("start", *flags, "-o", "json", "--address", dev_server, env=cli_env)
    assert json.loads(started.stdout) == {"order_id": order_id, "workflow_id": f"order-{order_id}"}

    status = await run("status", order_id, "-o", "json", "--address", dev_server, env=cli_env)
    assert json.loads(status.stdout)["order_id"] == order_id
    assert status.returncode == 0  # still running
    listed = await run(
        "list", "--customer", "c-script", "-o", "json", "--address", dev_server, env=cli_env
    )
    assert isinstance(json.loads(listed.stdout), list)
    cancelled = await run(
        "cancel", order_id, "--no-wait", "-o", "json", "--address", dev_server, env=cli_env
    )
    assert json.loads(cancelled.stdout) == {"order_id": order_id, "cancel_requested": True}
    text = await run("status", order_id, "--address", dev_server, env=cli_env)
    assert text.stdout.startswith(f"order {order_id}: ")


def test_order_file_and_order_flags_together_are_refused(tmp_path: Path, cli_env) -> None:
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(order_data()))
    done = order_saga(
        "start", "--order-file", str(order_file), "--customer-id", "c2", "--country", "DE",
        "--address", "127.0.0.1:1", env=cli_env,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "order-saga: --order-file holds the whole order; --customer-id, --country would be "
        "ignored: edit the file or drop --order-file\n"
    )


def test_version_and_completion(cli_env) -> None:
    version = order_saga("--version", env=cli_env)
    assert version.returncode == 0 and version.stdout.startswith("order-saga 0.")
    completion = order_saga("--show-completion", "bash", env=cli_env)
    assert completion.returncode == 0, completion.stderr
    assert "complete" in completion.stdout and "order-saga" in completion.stdout
