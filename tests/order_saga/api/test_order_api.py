"""The HTTP order API, driven over HTTP: `order-saga api` in its own process, against the real
dev server, a worker process and the database."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

from sqlmodel import select

from activities.database import transaction
from activities.inventory.stock import stock_of
from activities.payment.tables import Payment
from activities.shipment.tables import Shipment
from tests.helpers import order_data
from tests.order_saga.api.api_process import PROBLEM, api, wait_for_state

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


def test_an_order_posted_runs_once_and_its_status_follows(
    api, worker_process, engine, make_product
) -> None:
    sku = make_product(stock=3)
    order = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[{"sku": sku, "quantity": 2, "unit_price": "19.99"}],
        handover_delay_seconds=0,
    )
    created = api.post("/api/orders", json=order)
    assert created.status_code == 202, created.text
    location = created.headers["Location"]
    assert location == f"/api/orders/{order['order_id']}"
    assert created.json()["workflow_id"] == f"order-{order['order_id']}"

    done = wait_for_state(api, location, "COMPLETED", "COMPENSATED")
    assert done["status"] == "COMPLETED"
    # What a storefront shows of a finished order comes with its status.
    assert (done["total"], done["currency"], done["carrier"]) == ("39.98", "usd", "ACME Freight")
    assert done["payment_intent_id"].startswith("pi_") and done["payment_id"].startswith("pay_")
    assert done["tracking_number"] and done["shipment_id"]
    again = api.post("/api/orders", json=order)
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)
    assert again.headers["Location"] == location
    assert again.json()["type"].endswith("/order-exists")
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 1  # reserved once
        payments = session.exec(select(Payment).where(Payment.order_id == order["order_id"]))
        assert [p.amount for p in payments] == [Decimal("39.98")]  # charged once


def test_bad_input_is_a_problem_naming_the_field_and_starts_nothing(api) -> None:
    order = order_data(order_id=f"api-{uuid.uuid4().hex[:8]}")
    order["items"][0]["quantity"] = 0
    refused = api.post("/api/orders", json=order)
    assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM)
    problem = refused.json()
    assert problem["status"] == 422 and problem["instance"] == "/api/orders"
    assert [e["field"] for e in problem["errors"]] == ["items.0.quantity"]
    assert api.get(f"/api/orders/{order['order_id']}").status_code == 404

    not_json = api.post(
        "/api/orders", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert (not_json.status_code, not_json.headers["content-type"]) == (422, PROBLEM)
    assert [e["field"] for e in not_json.json()["errors"]] == ["body"]  # not a character offset
    huge = api.post("/api/orders", json={**order, "customer_id": "c" * 100_000})
    assert (huge.status_code, huge.headers["content-type"]) == (413, PROBLEM)
    unknown = api.get("/api/orders/no-such-order")
    assert (unknown.status_code, unknown.headers["content-type"]) == (404, PROBLEM)
    assert unknown.json()["detail"] == "no saga for order no-such-order"


def test_cancel_undoes_the_order_and_list_finds_it(api, worker_process, make_product) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    order = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        customer_id=customer,
        items=[{"sku": make_product(stock=2), "quantity": 1, "unit_price": "19.99"}],
        handover_delay_seconds=3600,
    )
    location = api.post("/api/orders", json=order).headers["Location"]
    wait_for_state(api, location, "AWAITING_HANDOVER")

    cancelled = api.post(f"{location}/cancel", json={"reason": "changed my mind"})
    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.headers["Location"] == location
    status = wait_for_state(api, location, "CANCELLED", "COMPENSATION_FAILED")
    assert status["status"] == "CANCELLED"
    assert status["compensations_run"] == ["cancel_shipment", "refund_payment", "release_inventory"]
    again = api.post(f"{location}/cancel")
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)

    deadline = time.monotonic() + 30
    while not (found := api.get("/api/orders", params={"customer": customer}).json()):
        assert time.monotonic() < deadline  # visibility catches up
        time.sleep(0.2)
    assert [row["workflow_id"] for row in found] == [f"order-{order['order_id']}"]
    bogus = api.get("/api/orders", params={"status": "SHIPPED"})
    assert bogus.status_code == 422
    assert bogus.json()["errors"][0]["field"] == "status"


def test_hostile_text_is_refused_naming_the_field_and_country_codes_are_normalised(
    api, worker_process, engine, make_product
) -> None:
    listed = api.get("/api/orders", params={"customer": "\x00"})
    assert (listed.status_code, listed.headers["content-type"]) == (422, PROBLEM)
    assert [e["field"] for e in listed.json()["errors"]] == ["customer"]

    spoofed = order_data(order_id=f"api-{uuid.uuid4().hex[:8]}", customer_id="cust-\u202e321")
    refused = api.post("/api/orders", json=spoofed)
    assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM)
    assert [e["field"] for e in refused.json()["errors"]] == ["customer_id"]
    assert "U+202E" in refused.json()["errors"][0]["message"]
    assert api.get(f"/api/orders/{spoofed['order_id']}").status_code == 404

    lower = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[{"sku": make_product(), "quantity": 1, "unit_price": "19.99"}],
        handover_delay_seconds=0,
    )
    lower["shipping_address"]["country"] = "us"
    created = api.post("/api/orders", json=lower)
    assert created.status_code == 202, created.text
    assert wait_for_state(api, created.headers["Location"], "COMPLETED")["status"] == "COMPLETED"
    with transaction(engine) as session:
        shipment = session.exec(select(Shipment).where(Shipment.order_id == lower["order_id"]))
        assert [s.address["country"] for s in shipment] == ["US"]  # type: ignore[index]


def test_probes_and_refusals_of_the_http_layer(api) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "checks": {"temporal": "ok", "database": "ok"}}
    missing = api.get("/no/such/page")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    assert missing.json()["type"].endswith("/not-found")
    wrong = api.delete("/api/orders")
    assert (wrong.status_code, wrong.headers["content-type"]) == (405, PROBLEM)
    assert "POST" in wrong.headers["allow"] and wrong.json()["status"] == 405
    # A problem's type is a URI of the API that says what it means.
    meaning = api.get(missing.json()["type"])
    assert meaning.status_code == 200 and meaning.json()["meaning"] == "No such route."


def test_a_retried_post_with_its_idempotency_key_gets_the_first_answer(
    api, worker_process, make_product
) -> None:
    body = order_data(items=[{"sku": make_product(), "quantity": 1, "unit_price": "19.99"}])
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = api.post("/api/orders", json=body, headers=key)
    again = api.post("/api/orders", json=body, headers=key)  # the first answer was lost
    assert (first.status_code, again.status_code) == (202, 202), again.text
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]

    other = {**body, "customer_id": "someone-else"}
    reused = api.post("/api/orders", json=other, headers=key)
    assert (reused.status_code, reused.headers["content-type"]) == (422, PROBLEM)
    assert reused.json()["type"].endswith("/idempotency-key-reused")
    assert api.post("/api/orders", json=body).json()["order_id"] != first.json()["order_id"]
