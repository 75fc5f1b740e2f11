"""Returns over HTTP on a real port, a real dev server and worker: the customer opens them
for their own order, an operator says the parcel is back; refunds of the returned lines, the
units back on the shelf, the order showing its returns, and the refusals named."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx

from order_saga.access.roles import Role
from tests.helpers import stock
from tests.order_saga.api.conftest import SecuredApi, an_order

PROBLEM = "application/problem+json"


async def poll(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], key: str, want: str
) -> dict:  # type: ignore[type-arg]
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        answer = await http.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        if answer.json()[key] == want:
            return dict(answer.json())
        assert asyncio.get_running_loop().time() < deadline, answer.json()
        await asyncio.sleep(0.1)


async def test_a_customer_returns_one_line_then_the_other_and_a_third_is_refused(
    secured: SecuredApi, http: httpx.AsyncClient, make_product, stripe_server
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    customer, operator = secured.jwt("cust-a", "customer"), secured.key(Role.OPERATOR)
    body = {**an_order(a, "cust-a"), "handover_delay_seconds": 0}
    body.pop("order_id")  # a customer's order gets its id from the API
    body["items"].append({"sku": b, "quantity": 2, "unit_price": "5.00"})
    started = await http.post("/api/orders", json=body, headers=customer)
    assert started.status_code == 202, started.text
    order_url, order_id = started.headers["Location"], started.json()["order_id"]
    await poll(http, order_url, customer, "status", "COMPLETED")

    first = await http.post(
        f"{order_url}/returns",
        json={"items": [{"sku": a, "quantity": 1}], "reason": "<b>too small</b>"},
        headers=customer,
    )
    assert first.status_code == 201, first.text
    assert (first.json()["state"], first.json()["refund"]) == ("AWAITING_PARCEL", "19.99")
    location = first.headers["Location"]
    assert location == f"/api/returns/{first.json()['return_id']}"
    other = secured.jwt("cust-b", "customer")
    assert (await http.get(location, headers=other)).status_code == 404
    by_customer = await http.post(f"{location}/receive", headers=customer)
    assert by_customer.status_code == 403  # the parcel's arrival is an operator's word
    received = await http.post(f"{location}/receive", json={"unusable": []}, headers=operator)
    assert received.status_code == 200, received.text
    refunded = await poll(http, location, customer, "state", "REFUNDED")
    assert refunded["refund_id"] and stock(secured.engine, a) == 5  # back on the shelf

    shown = await http.get(order_url, headers=customer)
    assert [(r["return_id"], r["state"], r["refund"]) for r in shown.json()["returns"]] == [
        (refunded["return_id"], "REFUNDED", "19.99")
    ]

    second = await http.post(
        f"{order_url}/returns", json={"items": [{"sku": b, "quantity": 2}]}, headers=customer
    )
    assert second.status_code == 201, second.text
    assert second.json()["refund"] == "10.00"  # the last units: the rest of what was captured
    await http.post(
        f"{second.headers['Location']}/receive",
        json={"unusable": [{"sku": b, "quantity": 1}]},
        headers=operator,
    )
    await poll(http, second.headers["Location"], operator, "state", "REFUNDED")
    assert stock(secured.engine, b) == 4  # one of two usable

    third = await http.post(
        f"{order_url}/returns", json={"items": [{"sku": b, "quantity": 1}]}, headers=customer
    )
    assert (third.status_code, third.headers["content-type"]) == (409, PROBLEM)
    assert "was refunded in full: nothing is left to return" in third.json()["detail"]
    stripe, _ = stripe_server
    [intent] = stripe.ledger.intents_of_order(order_id)
    refunds = [(r["amount"], r["status"]) for r in stripe.ledger.refunds_of(str(intent["id"]))]
    assert refunds == [(1999, "succeeded"), (1000, "succeeded")]
    assert sum(amount for amount, _ in refunds) == intent["amount_received"]
    assert Decimal(refunded["refund"]) + Decimal("10.00") == Decimal("29.99")


async def test_returns_refused_for_an_order_that_never_shipped(
    secured: SecuredApi, http: httpx.AsyncClient, make_product
) -> None:
    operator = secured.key(Role.OPERATOR)
    sku = make_product(stock=5)
    body = an_order(sku, "cust-a", payment_method="pm_card_chargeDeclined")
    started = await http.post("/api/orders", json=body, headers=operator)
    order_url = started.headers["Location"]
    await poll(http, order_url, operator, "status", "COMPENSATED")
    refused = await http.post(
        f"{order_url}/returns", json={"items": [{"sku": sku, "quantity": 1}]}, headers=operator
    )
    assert (refused.status_code, refused.headers["content-type"]) == (409, PROBLEM)
    assert "cancelled or undone: nothing was shipped" in refused.json()["detail"]
    too_many = await http.post(
        f"{order_url}/returns", json={"items": [{"sku": sku, "quantity": 0}]}, headers=operator
    )
    assert too_many.status_code == 422 and "quantity" in too_many.text
    missing = await http.get("/api/returns/return-nope-1", headers=operator)
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)


async def test_a_return_asked_again_with_its_key_is_the_same_return(
    secured: SecuredApi, http: httpx.AsyncClient, make_product
) -> None:
    operator = secured.key(Role.OPERATOR)
    sku = make_product(stock=5)
    body = {**an_order(sku, "cust-a"), "handover_delay_seconds": 0}
    started = await http.post("/api/orders", json=body, headers=operator)
    order_url = started.headers["Location"]
    await poll(http, order_url, operator, "status", "COMPLETED")
    keyed = {**operator, "Idempotency-Key": "ret-1"}
    asked = {"items": [{"sku": sku, "quantity": 1}]}
    first = await http.post(f"{order_url}/returns", json=asked, headers=keyed)
    again = await http.post(f"{order_url}/returns", json=asked, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert first.headers["Location"] == again.headers["Location"]
    other = await http.post(
        f"{order_url}/returns", json={**asked, "reason": "another"}, headers=keyed
    )
    assert (other.status_code, other.headers["content-type"]) == (422, PROBLEM)
    assert "for other items or reason" in other.json()["detail"]
    shown = await http.get(order_url, headers=operator)
    assert [r["return_id"] for r in shown.json()["returns"]] == [first.json()["return_id"]]
    await http.post(
        f"{first.headers['Location']}/reject", json={"reason": "test over"}, headers=operator
    )


async def test_two_returns_racing_for_the_last_unit_over_http(
    secured: SecuredApi, http: httpx.AsyncClient, make_product, stripe_server
) -> None:
    operator = secured.key(Role.OPERATOR)
    sku = make_product(stock=5)
    body = {**an_order(sku, "cust-a"), "handover_delay_seconds": 0}
    started = await http.post("/api/orders", json=body, headers=operator)
    order_url, order_id = started.headers["Location"], started.json()["order_id"]
    await poll(http, order_url, operator, "status", "COMPLETED")
    asked = {"items": [{"sku": sku, "quantity": 1}]}
    answers = await asyncio.gather(
        *(http.post(f"{order_url}/returns", json=asked, headers=operator) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    [won] = [a for a in answers if a.status_code == 201]
    [lost] = [a for a in answers if a.status_code == 409]
    assert "0 left to return" in lost.json()["detail"]
    await http.post(f"{won.headers['Location']}/receive", json={}, headers=operator)
    await poll(http, won.headers["Location"], operator, "state", "REFUNDED")
    [intent] = stripe_server[0].ledger.intents_of_order(order_id)
    refunds = stripe_server[0].ledger.refunds_of(str(intent["id"]))
    assert [(r["amount"], r["status"]) for r in refunds] == [(1999, "succeeded")]  # one refund
    assert stock(secured.engine, sku) == 5  # the one unit back, once
