"""A person's retry over HTTP refunds what the bank refused at first (pm_card_refundFailsOnce)."""

from __future__ import annotations

import time
import uuid

from tests.helpers import order_data
from tests.order_saga.api.test_order_api import api, captured

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


def test_a_retry_over_http_refunds_once_the_bank_accepts(
    api, worker_process, make_product, stripe_server
) -> None:
    stripe, _ = stripe_server
    order = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[{"sku": make_product(stock=2), "quantity": 1, "unit_price": "19.99"}],
        payment_method="pm_card_refundFailsOnce",
        handover_delay_seconds=3600,
        capture_window_seconds=1,  # captured a second in; the bank refuses its first refund
    )
    location = api.post("/api/orders", json=order).headers["Location"]
    deadline = time.monotonic() + 60
    while not captured(api.get(location).json()):
        assert time.monotonic() < deadline
        time.sleep(0.2)  # polling the order's own status, with a deadline
    assert api.post(f"{location}/cancel", json={"reason": "wrong size"}).status_code == 202
    while not api.get(location).json().get("waiting_for_person"):
        assert time.monotonic() < deadline
        time.sleep(0.2)

    retried = api.post(f"{location}/resolve", json={"action": "retry"})
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["compensation_failures"]) == ("CANCELLED", [])
    [intent] = stripe.ledger.intents_of_order(order["order_id"])
    refunds = stripe.ledger.refunds_of(str(intent["id"]))
    assert [r["status"] for r in refunds] == ["failed", "succeeded"]
