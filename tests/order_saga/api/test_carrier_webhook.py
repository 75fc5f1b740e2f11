"""The carrier's webhook on a real port: a signed `return.delivered` says the parcel is back
(restocked, refunded, told by the carrier); a forged, stale or repeated one changes nothing."""

from __future__ import annotations

import json
import time

import httpx

from activities.notification.signing import signature
from order_saga.access.roles import Role
from tests.helpers import stock
from tests.order_saga.api.conftest import CARRIER_SECRET, SecuredApi, an_order
from tests.order_saga.api.test_returns import poll


def signed(event: dict[str, str], secret: str = CARRIER_SECRET, age: int = 0) -> dict[str, str]:
    body = json.dumps(event).encode()
    return {
        "Carrier-Signature": signature(secret, int(time.time()) - age, body),
        "content-type": "application/json",
    }


async def test_the_carriers_word_receives_a_return_once(
    secured: SecuredApi, http: httpx.AsyncClient, make_product
) -> None:
    operator = secured.key(Role.OPERATOR)
    sku = make_product(stock=5)
    started = await http.post(
        "/api/orders",
        json={**an_order(sku, "cust-a"), "handover_delay_seconds": 0},
        headers=operator,
    )
    order_url = started.headers["Location"]
    await poll(http, order_url, operator, "status", "COMPLETED")
    opened = await http.post(
        f"{order_url}/returns", json={"items": [{"sku": sku, "quantity": 1}]}, headers=operator
    )
    location, return_id = opened.headers["Location"], opened.json()["return_id"]
    event = {"type": "return.delivered", "return_id": return_id, "tracking_number": "1Z9"}
    body = json.dumps(event).encode()

    forged = await http.post("/webhooks/carrier", content=body, headers=signed(event, "whsec_x"))
    stale = await http.post("/webhooks/carrier", content=body, headers=signed(event, age=600))
    unsigned = await http.post("/webhooks/carrier", content=body)
    assert [a.status_code for a in (forged, stale, unsigned)] == [400, 400, 400]
    assert (await http.get(location, headers=operator)).json()["state"] == "AWAITING_PARCEL"

    told = await http.post("/webhooks/carrier", content=body, headers=signed(event))
    assert told.status_code == 200 and told.json()["delivered"] is True, told.text
    refunded = await poll(http, location, operator, "state", "REFUNDED")
    assert stock(secured.engine, sku) == 5 and "received by carrier" in refunded["record"]
    repeated = await http.post("/webhooks/carrier", content=body, headers=signed(event))
    assert repeated.status_code == 200 and repeated.json()["delivered"] is False
    other = {"type": "return.in_transit", "return_id": return_id}
    moving = await http.post(
        "/webhooks/carrier", content=json.dumps(other).encode(), headers=signed(other)
    )
    assert moving.json()["delivered"] is False
    nameless = {"type": "return.delivered"}
    bad = await http.post(
        "/webhooks/carrier", content=json.dumps(nameless).encode(), headers=signed(nameless)
    )
    assert bad.status_code == 422 and "return_id" in bad.text
