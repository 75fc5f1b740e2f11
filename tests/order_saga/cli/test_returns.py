"""`order-saga return` as a process against a real dev server and worker: open a return of a
shipped order, the parcel received, a refund the bank refuses settled by a person's retry,
and the refusals named, each with its exit code."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from activities.payment.contracts import DisputeSnapshot
from activities.payment.disputing import DisputeActivities
from tests.helpers import order_data, stock
from tests.processes import order_saga


async def test_a_return_from_the_command_line_refunded_after_a_person_s_retry(
    dev_server, worker_process, cli_env, engine, make_product, stripe_server, tmp_path: Path
) -> None:
    stripe, _ = stripe_server
    sku, order_id = make_product(stock=3), f"ret-{uuid.uuid4().hex[:8]}"
    args = ["--address", dev_server]
    order_file = tmp_path / "order.json"
    order_file.write_text(
        json.dumps(
            order_data(
                order_id=order_id,
                items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
                payment_method="pm_card_refundFailsOnce",
                handover_delay_seconds=0,
            )
        )
    )

    def cli(*words: str) -> asyncio.Future:  # type: ignore[type-arg]
        return asyncio.ensure_future(asyncio.to_thread(order_saga, *words, *args, env=cli_env))

    shipped = await cli("start", "--order-file", str(order_file), "--wait")
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    bad = await cli("return", order_id, "--item", "no-quantity")
    assert bad.returncode == 1 and "--item 'no-quantity': expected SKU:QTY" in bad.stderr

    asked = ("return", order_id, "--item", f"{sku}:1", "--reason", "scratched", "--key", "k1")
    opened, again = await cli(*asked, "-o", "json"), await cli(*asked, "-o", "json")
    assert opened.returncode == 0, opened.stdout + opened.stderr
    view = json.loads(opened.stdout)
    assert json.loads(again.stdout)["return_id"] == view["return_id"]  # run again: the same
    assert (view["state"], view["refund"], view["reason"]) == (
        "AWAITING_PARCEL",
        "19.99",
        "scratched",
    )
    return_id = view["return_id"]

    received = await cli("return", "receive", return_id)
    assert received.returncode == 6, received.stdout + received.stderr  # the bank refused
    assert "REFUND_FAILED" in received.stdout and "needs a person" in received.stdout
    assert stock(engine, sku) == 3  # the parcel is back on the shelf whatever the money did

    retried = await cli("return", "resolve", return_id, "--retry")
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert f"return {return_id} of order {order_id}: REFUNDED" in retried.stdout
    assert "refunded: 19.99 USD" in retried.stdout
    [intent] = stripe.ledger.intents_of_order(order_id)
    refunds = stripe.ledger.refunds_of(str(intent["id"]))
    assert [(r["status"], r["amount"]) for r in refunds] == [("failed", 1999), ("succeeded", 1999)]

    again = await cli("return", order_id, "--item", f"{sku}:1")
    assert again.returncode == 1 and "refunded in full: nothing is left" in again.stderr
    shown = await cli("return", "show", return_id)
    assert shown.returncode == 0 and "REFUNDED" in shown.stdout
    status = await cli("status", order_id)
    assert f"return {return_id}: REFUNDED, 19.99 USD" in status.stdout, status.stdout

    # The bank disputes the charge (its webhook recorded it): listed, and on the order.
    DisputeActivities(engine).record_dispute(
        DisputeSnapshot(
            dispute_id=f"dp_{order_id}",
            payment_intent=str(intent["id"]),
            status="needs_response",
            amount=1999,
            currency="usd",
            reason="product_not_received",
            due_by=datetime(2030, 1, 2, tzinfo=UTC),
            event_type="charge.dispute.created",
            event_created=1,
        )
    )
    listed = await asyncio.to_thread(  # from the database alone: no Temporal options
        order_saga, "disputes", "list", "--open", "-o", "json", env=cli_env
    )
    assert listed.returncode == 0, listed.stderr
    [mine] = [d for d in json.loads(listed.stdout) if d["order_id"] == order_id]
    assert (mine["status"], mine["amount"], mine["reason"]) == (
        "needs_response", "19.99", "product_not_received"
    )  # fmt: skip
    status = await cli("status", order_id)
    assert f"dispute dp_{order_id}: needs_response, 19.99 USD (product_not_received), " \
        "evidence due 2030-01-02 00:00 UTC" in status.stdout  # fmt: skip
