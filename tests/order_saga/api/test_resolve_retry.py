"""A person's retry over HTTP refunds what the bank refused at first (pm_card_refundFailsOnce)."""

from __future__ import annotations

from tests.order_saga.api.test_order_api import api, refund_refused

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


def test_a_retry_over_http_refunds_once_the_bank_accepts(
    api, worker_process, make_product, stripe_server
) -> None:
    stripe, _ = stripe_server
    order_id, location = refund_refused(api, make_product(stock=2), "pm_card_refundFailsOnce")

    retried = api.post(f"{location}/resolve", json={"action": "retry"})
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["compensation_failures"]) == ("CANCELLED", [])
    [intent] = stripe.ledger.intents_of_order(order_id)
    refunds = stripe.ledger.refunds_of(str(intent["id"]))
    assert [r["status"] for r in refunds] == ["failed", "succeeded"]
