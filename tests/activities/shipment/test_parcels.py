"""An order's parcels, one per warehouse, on SQLite and PostgreSQL: each booked once on its
own, refused where the carrier does not ship from that warehouse, and cancelled alone or all
together; a parcel cancelled before its booking refuses the late one. Its lines' stock goes
back alone."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.inventory.activities import InventoryActivities
from activities.inventory.contracts import OrderItem, ReleaseInventoryInput, ReserveInventoryInput
from activities.inventory.stock import stock_of
from activities.shipment.activities import ShipmentActivities
from activities.shipment.contracts import CancelShipmentInput, CreateShipmentInput
from tests.activities.shipment.test_shipping import ADDRESS, rows
from tests.conftest import product_factory


def shipments(db: Engine) -> ShipmentActivities:
    return ShipmentActivities(
        db,
        carrier="ACME",
        unserved_countries=frozenset({"AQ"}),
        unserved_from={"east": frozenset({"CA"})},
    )


def parcel(order_id: str, warehouse: str, country: str = "US") -> CreateShipmentInput:
    address = ADDRESS.model_copy(update={"country": country})
    return CreateShipmentInput(order_id=order_id, address=address, warehouse=warehouse)


def test_each_parcel_is_booked_once_and_cancelled_alone_or_with_the_rest(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)

    home = env.run(acts.create_shipment, parcel(order_id, "main"))
    east = env.run(acts.create_shipment, parcel(order_id, "east"))
    assert env.run(acts.create_shipment, parcel(order_id, "east")) == east  # an answer lost
    assert home.tracking_number != east.tracking_number

    alone = CancelShipmentInput(order_id=order_id, warehouses=["east"])
    assert env.run(acts.cancel_shipment, alone).cancelled
    assert {(r.warehouse, r.status) for r in rows(db, order_id)} == {
        ("main", "Created"),
        ("east", "Cancelled"),
    }
    everything = CancelShipmentInput(order_id=order_id)
    assert env.run(acts.cancel_shipment, everything).cancelled
    assert {r.status for r in rows(db, order_id)} == {"Cancelled"}


def test_a_warehouse_the_carrier_does_not_ship_from_is_refused_for_good(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)

    env.run(acts.create_shipment, parcel(order_id, "main", "CA"))  # home ships to Canada
    with pytest.raises(ApplicationError) as refused:
        env.run(acts.create_shipment, parcel(order_id, "east", "CA"))

    assert (refused.value.type, refused.value.non_retryable) == ("ShipmentRejected", True)
    assert "from east" in str(refused.value)
    assert [r.warehouse for r in rows(db, order_id)] == ["main"]


def test_a_parcel_cancelled_before_its_booking_refuses_the_late_one(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)
    env.run(acts.create_shipment, parcel(order_id, "main"))

    undo = CancelShipmentInput(order_id=order_id, warehouses=["main", "east"])
    assert env.run(acts.cancel_shipment, undo).took_effect
    with pytest.raises(ApplicationError) as late:
        env.run(acts.create_shipment, parcel(order_id, "east"))

    assert late.value.type == "OrderAlreadyCompensated"
    assert {(r.warehouse, r.status) for r in rows(db, order_id)} == {
        ("main", "Cancelled"),
        ("east", "Cancelled"),
    }


def test_a_parcel_that_could_not_ship_gives_back_its_lines_alone(db: Engine) -> None:
    make = product_factory(db)
    home_sku, east_sku = make(stock=5), make(stock=0, elsewhere={"east": 5})
    env, inventory = ActivityEnvironment(), InventoryActivities(db)
    order = ReserveInventoryInput(
        order_id=f"t-{uuid.uuid4().hex[:12]}",
        currency="usd",
        items=[
            OrderItem(sku=home_sku, quantity=2, unit_price=Decimal("19.99")),
            OrderItem(sku=east_sku, quantity=3, unit_price=Decimal("19.99")),
        ],
    )
    env.run(inventory.reserve_inventory, order)
    east = ReleaseInventoryInput(order_id=order.order_id, skus=[east_sku], warehouses=["east"])

    assert env.run(inventory.release_inventory, east).released_units == 3
    assert env.run(inventory.release_inventory, east).released_units == 0  # once

    with transaction(db) as session:
        assert stock_of(session=session, sku=east_sku, warehouse="east") == 5
        assert stock_of(session=session, sku=home_sku) == 3  # the home parcel still holds 2
    # The reservation asked again (a local call replayed after a worker died): the same
    # reservation, not a refusal; once the whole order is released, refused.
    again = env.run(inventory.reserve_inventory, order)
    assert {line.sku: line.warehouse for line in again.lines} == {
        home_sku: "main",
        east_sku: "east",
    }
    everything = ReleaseInventoryInput(order_id=order.order_id, skus=[home_sku, east_sku])
    assert env.run(inventory.release_inventory, everything).released_units == 2
    with pytest.raises(ApplicationError) as refused:
        env.run(inventory.reserve_inventory, order)
    assert refused.value.type == "OrderAlreadyCompensated"
