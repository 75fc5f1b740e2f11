"""A person settles a refund the bank refused, over HTTP: by hand (a note), or by a retry that
refunds once the bank accepts (pm_card_refundFailsOnce)."""

from __future__ import annotations

from tests.order_saga.api.api_process import PROBLEM, api, refund_refused

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


def test_a_person_resolves_a_refused_refund_over_http(api, worker_process, make_product) -> None:
    _, location = refund_refused(api, make_product(stock=2), "pm_card_refundFail")

    no_note = api.post(f"{location}/resolve", json={"action": "mark-resolved"})
    assert (no_note.status_code, no_note.headers["content-type"]) == (422, PROBLEM)
    settled = api.post(
        f"{location}/resolve", json={"action": "mark-resolved", "note": "refunded by transfer"}
    )
    assert settled.status_code == 200, settled.text
    assert settled.json()["resolution"]["note"] == "refunded by transfer"
    again = api.post(f"{location}/resolve", json={"action": "retry"})
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)
    assert "not waiting for a person" in again.json()["detail"]
