"""An order from two warehouses through the real front ends: the storefront's order ships in
two parcels, each captured at its pickup; to a country the carrier does not serve from one
warehouse, that parcel gives back its stock and its money alone, the order ends
PARTIALLY_SHIPPED, and `order-saga status` says which parcel did not ship (exit 10)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from activities.database import transaction
from activities.inventory.stock import stock_of
from tests.activities.shipment.test_shipping import rows
from tests.helpers import order_data
from tests.order_saga.api.api_process import api, wait_for_state
from tests.processes import order_saga, start_worker, stop_worker

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


@pytest.fixture
def parcel_worker(dev_server: str, cli_env: dict[str, str]) -> Iterator[None]:
    """A worker whose carrier takes nothing from the east warehouse to Canada."""
    process = start_worker(dev_server, {**cli_env, "UNSERVED_FROM": "east:CA"})
    yield
    stop_worker(process)


def on_hand(engine: Engine, sku: str, warehouse: str) -> int | None:
    with transaction(engine) as session:
        return stock_of(session=session, sku=sku, warehouse=warehouse)


def two_warehouse_order(api, make_product, country: str) -> tuple[str, str, str, str]:  # type: ignore[no-untyped-def]
    cups = make_product(stock=5, price="19.99")
    kettle = make_product(stock=0, price="49.50", elsewhere={"east": 4})
    body = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[
            {"sku": cups, "quantity": 2, "unit_price": "19.99"},
            {"sku": kettle, "quantity": 1, "unit_price": "49.50"},
        ],
    )
    body["shipping_address"]["country"] = country
    answer = api.post("/api/orders", json=body)
    assert answer.status_code == 202, answer.text
    return body["order_id"], answer.headers["Location"], cups, kettle


def test_an_order_from_two_warehouses_ships_in_two_parcels(
    api, parcel_worker, make_product, engine: Engine, stripe_server
) -> None:
    order_id, location, cups, kettle = two_warehouse_order(api, make_product, "US")

    ended = wait_for_state(api, location, "COMPLETED", "PARTIALLY_SHIPPED", "COMPENSATED")

    assert ended["status"] == "COMPLETED", ended
    assert [(p["warehouse"], p["state"]) for p in ended["parcels"]] == [
        ("main", "handed over"),
        ("east", "handed over"),
    ]
    assert {row.warehouse: row.tracking_number for row in rows(engine, order_id)} == {
        p["warehouse"]: p["tracking_number"] for p in ended["parcels"]
    }
    [intent] = stripe_server[0].ledger.intents_of_order(order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 8948)
    assert (on_hand(engine, cups, "main"), on_hand(engine, kettle, "east")) == (3, 3)


def test_a_parcel_that_cannot_ship_is_told_and_costs_nothing(
    api, parcel_worker, make_product, engine: Engine, stripe_server, cli_env, dev_server
) -> None:
    order_id, location, cups, kettle = two_warehouse_order(api, make_product, "CA")

    ended = wait_for_state(api, location, "COMPLETED", "PARTIALLY_SHIPPED", "COMPENSATED")

    assert ended["status"] == "PARTIALLY_SHIPPED", ended
    assert (ended["total"], ended["payment"]) == ("39.98", "captured")
    east = ended["parcels"][1]
    assert (east["warehouse"], east["state"]) == ("east", "not shipped")
    [intent] = stripe_server[0].ledger.intents_of_order(order_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == (
        "succeeded",
        3998,
        0,
    )
    assert (on_hand(engine, cups, "main"), on_hand(engine, kettle, "east")) == (3, 4)
    told = order_saga("status", order_id, "--address", dev_server, env=cli_env)
    assert told.returncode == 10, told.stderr
    assert f"parcel from east: 1 x {kettle} not shipped" in told.stdout
    late = order_saga("cancel", order_id, "--address", dev_server, env=cli_env)
    assert late.returncode == 1 and "was handed to the carrier" in late.stderr, late.stderr
