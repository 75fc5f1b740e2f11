"""`POST /api/orders` with `Prefer: wait=N` on a real port, a real dev server and worker: the
payment's answer in the request that starts the order (authorized, the bank's 3-D Secure
asked, declined, out of stock, invalid), 202 when the wait runs out, and a retry that
attaches to the same saga: one saga, one charge."""

from __future__ import annotations

import httpx

from order_saga.access.roles import Role
from tests.helpers import stock
from tests.order_saga.api.conftest import SecuredApi, an_order
from tests.order_saga.api.test_returns import poll
from workflows.order_state import PAYMENT_EVENT_SIGNAL, PaymentEvent

PROBLEM = "application/problem+json"
WAIT = {"Prefer": "wait=10"}


async def test_the_checkout_answers_with_the_payment(
    secured: SecuredApi, http: httpx.AsyncClient, make_product, stripe_server
) -> None:
    store = secured.key(Role.STOREFRONT)
    sku, scarce = make_product(stock=5), make_product(stock=0)
    held = await http.post("/api/orders", json=an_order(sku, "c1"), headers={**store, **WAIT})
    assert held.status_code == 201, held.text
    assert (held.json()["payment"], held.json()["total"]) == ("authorized", "19.99")
    assert held.headers["Preference-Applied"] == "wait=10"
    assert held.headers["Location"] == held.json()["status_url"]

    body = an_order(sku, "c1", payment_method="pm_card_chargeDeclined")
    declined = await http.post("/api/orders", json=body, headers={**store, **WAIT})
    assert (declined.status_code, declined.headers["content-type"]) == (402, PROBLEM)
    assert "CardDeclined: Your card was declined." in declined.json()["detail"]
    assert stock(secured.engine, sku) == 4  # the declined order's unit is back already

    empty = await http.post("/api/orders", json=an_order(scarce, "c1"), headers={**store, **WAIT})
    assert (empty.status_code, empty.json()["type"]) == (409, "/problems/out-of-stock")
    cheap = an_order(sku, "c1")
    cheap["items"][0]["unit_price"] = "1.00"  # not the catalogue's price
    invalid = await http.post("/api/orders", json=cheap, headers={**store, **WAIT})
    assert (invalid.status_code, invalid.json()["type"]) == (422, "/problems/invalid-order")
    assert "PriceMismatch" in invalid.json()["detail"]

    body = an_order(sku, "c1", payment_method="pm_card_threeDSecure2Required")
    asked = await http.post("/api/orders", json=body, headers={**store, **WAIT})
    assert asked.status_code == 201 and asked.json()["payment"] == "requires_action"
    page = asked.json()["authentication_url"]
    assert page.startswith(stripe_server[1])  # the bank's page: the storefront redirects
    async with httpx.AsyncClient() as browser:
        assert (await browser.post(f"{page}/complete")).status_code < 400
    # Stripe's webhook (sent here as the endpoint would pass it on) wakes the saga: it reads
    # the intent again and goes on to ship.
    hint = PaymentEvent(event_id="evt_1", type="payment_intent.amount_capturable_updated")
    await secured.client.get_workflow_handle(asked.json()["workflow_id"]).signal(
        PAYMENT_EVENT_SIGNAL, hint
    )
    await poll(http, asked.headers["Location"], store, "status", "AWAITING_HANDOVER")

    plain = await http.post("/api/orders", json=an_order(sku, "c1"), headers=store)
    assert plain.status_code == 202 and "Preference-Applied" not in plain.headers


async def test_a_wait_that_runs_out_then_a_retry_one_saga_one_charge(
    secured: SecuredApi, http: httpx.AsyncClient, make_product, stripe_server
) -> None:
    store = secured.key(Role.STOREFRONT)
    stripe, _ = stripe_server
    stripe.faults.force("http_500", 2, path_suffix="/confirm")  # the gateway away ~6 s
    body = an_order(make_product(stock=5), "c1")
    keyed = {**store, "Idempotency-Key": "checkout-1"}
    first = await http.post("/api/orders", json=body, headers={**keyed, "Prefer": "wait=1"})
    assert first.status_code == 202 and first.headers["Preference-Applied"] == "wait=1"
    again = await http.post("/api/orders", json=body, headers={**keyed, **WAIT})
    assert again.status_code == 201, again.text
    assert again.json()["workflow_id"] == first.json()["workflow_id"]
    other = await http.post(
        "/api/orders", json={**body, "currency": "eur"}, headers={**keyed, **WAIT}
    )
    assert other.status_code == 422  # the key with another body
    [intent] = stripe.ledger.intents_of_order(body["order_id"])  # one saga, one charge
    assert intent["status"] == "requires_capture"
