"""Shipment activities on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.shipment.activities import ShipmentActivities
from activities.shipment.contracts import Address, CancelShipmentInput, CreateShipmentInput
from activities.shipment.tables import Shipment

ADDRESS = Address(
    street="1 Main St", city="Springfield", state="IL", zip_code="62701", country="US"
)


def shipments(db: Engine) -> ShipmentActivities:
    return ShipmentActivities(db, carrier="ACME", unserved_countries=frozenset({"AQ", "KP"}))


def rows(db: Engine, order_id: str) -> list[Shipment]:
    with transaction(db) as session:
        return list(session.exec(select(Shipment).where(Shipment.order_id == order_id)))


def test_create_and_cancel_are_idempotent(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)
    request = CreateShipmentInput(order_id=order_id, address=ADDRESS)

    first = env.run(acts.create_shipment, request)
    assert env.run(acts.create_shipment, request) == first
    assert first.tracking_number.startswith("1Z")
    assert env.run(acts.cancel_shipment, CancelShipmentInput(order_id=order_id)).cancelled
    assert not env.run(acts.cancel_shipment, CancelShipmentInput(order_id=order_id)).cancelled
    [row] = rows(db, order_id)
    assert (row.shipment_id, row.status) == (first.shipment_id, "Cancelled")


@pytest.mark.parametrize("country", ["AQ", "KP"])
def test_unserved_country_is_rejected_without_a_booking(db: Engine, country: str) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    address = ADDRESS.model_copy(update={"country": country})
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(
            shipments(db).create_shipment, CreateShipmentInput(order_id=order_id, address=address)
        )
    assert (raised.value.type, raised.value.non_retryable) == ("ShipmentRejected", True)
    assert rows(db, order_id) == []


def test_cancel_before_create_refuses_a_late_booking(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)
    env.run(acts.cancel_shipment, CancelShipmentInput(order_id=order_id))
    with pytest.raises(ApplicationError) as raised:
        env.run(acts.create_shipment, CreateShipmentInput(order_id=order_id, address=ADDRESS))
    assert raised.value.type == "OrderAlreadyCompensated"
    assert [r.status for r in rows(db, order_id)] == ["Cancelled"]
