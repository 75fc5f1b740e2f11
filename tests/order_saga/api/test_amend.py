"""Amendments through the real front ends: `PATCH /api/orders/{id}` moves a booked shipment
to the new address (the row and the tracking number), `order-saga amend` is refused for a
country the carrier does not serve, and both are refused once the parcel is handed over."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine

from tests.activities.shipment.test_shipping import rows
from tests.helpers import order_data, stock
from tests.order_saga.api.api_process import PROBLEM, api, wait_for_state
from tests.processes import order_saga

__all__ = ["api"]  # the fixture: `order-saga api` in its own process

BOSTON = {
    "street": "2 Elm St",
    "city": "Boston",
    "state": "MA",
    "zip_code": "02108",
    "country": "US",
}


def started(api, sku: str, pickup_in: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    body = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
        handover_delay_seconds=pickup_in,
    )
    answer = api.post("/api/orders", json=body)
    assert answer.status_code == 202, answer.text
    return body["order_id"], answer.headers["Location"]


def test_a_booked_order_is_moved_over_http_and_refused_where_the_carrier_does_not_go(
    api, worker_process, make_product, engine: Engine, cli_env, dev_server
) -> None:
    order_id, location = started(api, make_product(stock=2), pickup_in=3600)
    booked = wait_for_state(api, location, "AWAITING_HANDOVER")

    moved = api.patch(location, json={"shipping_address": BOSTON})
    assert moved.status_code == 200, moved.text
    assert moved.json()["tracking_number"] != booked["tracking_number"]
    [row] = rows(engine, order_id)
    assert (row.address or {})["city"] == "Boston"
    assert row.tracking_number == moved.json()["tracking_number"]
    south = order_saga(
        "amend", order_id, "--street", "1 Ice Rd", "--city", "McMurdo", "--zip-code", "9999",
        "--country", "AQ", "--as", "ann", "--address", dev_server, env=cli_env,
    )  # fmt: skip
    assert south.returncode == 1 and "does not ship to AQ" in south.stderr, south.stderr
    [row] = rows(engine, order_id)
    assert (row.address or {})["city"] == "Boston"  # as it was
    invalid = api.patch(location, json={"shipping_address": {**BOSTON, "country": "USA"}})
    assert (invalid.status_code, invalid.headers["content-type"]) == (422, PROBLEM)
    assert "country" in invalid.text


def test_an_order_handed_to_the_carrier_can_no_longer_be_amended(
    api, worker_process, make_product
) -> None:
    _, location = started(api, make_product(stock=2), pickup_in=1)
    wait_for_state(api, location, "COMPLETED")

    late = api.patch(location, json={"shipping_address": BOSTON})

    assert (late.status_code, late.headers["content-type"]) == (409, PROBLEM)
    assert "can no longer be amended" in late.json()["detail"]


def test_fewer_units_over_http_go_back_on_the_shelf_and_are_captured_for_less(
    api, worker_process, make_product, engine: Engine, stripe_server
) -> None:
    stripe, _ = stripe_server
    sku = make_product(stock=5)
    body = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[{"sku": sku, "quantity": 3, "unit_price": "19.99"}],
        handover_delay_seconds=10,  # the carrier comes soon: the amendment goes first
    )
    location = api.post("/api/orders", json=body).headers["Location"]
    wait_for_state(api, location, "AWAITING_HANDOVER")

    amended = api.patch(location, json={"lines": [{"sku": sku, "quantity": 1}]})
    assert amended.status_code == 200, amended.text
    assert stock(engine, sku) == 4  # two units back on the shelf at once
    done = wait_for_state(api, location, "COMPLETED")

    assert done["total"] == "19.99"
    [intent] = stripe.ledger.intents_of_order(body["order_id"])
    assert (intent["amount"], intent["amount_received"]) == (5997, 1999)
