"""A booking moved to an amended address, on SQLite and PostgreSQL: the new address under a
new tracking number, once; an unserved country or a cancelled booking refused, the row as it
was."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.shipment.contracts import (
    CancelShipmentInput,
    CreateShipmentInput,
    RebookShipmentInput,
)
from tests.activities.shipment.test_shipping import ADDRESS, rows, shipments

BOSTON = ADDRESS.model_copy(update={"city": "Boston", "state": "MA", "zip_code": "02108"})


def test_a_booking_moves_once_under_a_new_tracking_number(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)
    booked = env.run(acts.create_shipment, CreateShipmentInput(order_id=order_id, address=ADDRESS))

    moved = env.run(acts.rebook_shipment, RebookShipmentInput(order_id=order_id, address=BOSTON))
    again = env.run(acts.rebook_shipment, RebookShipmentInput(order_id=order_id, address=BOSTON))

    assert moved.shipment_id == booked.shipment_id
    assert moved.tracking_number != booked.tracking_number and again == moved  # a retry
    [row] = rows(db, order_id)
    assert (row.address or {})["city"] == "Boston" and row.tracking_number == moved.tracking_number


def test_an_unserved_country_or_a_cancelled_booking_is_refused_as_it_was(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    env, acts = ActivityEnvironment(), shipments(db)
    booked = env.run(acts.create_shipment, CreateShipmentInput(order_id=order_id, address=ADDRESS))
    south = ADDRESS.model_copy(update={"country": "AQ"})

    with pytest.raises(ApplicationError) as unserved:
        env.run(acts.rebook_shipment, RebookShipmentInput(order_id=order_id, address=south))
    [row] = rows(db, order_id)
    assert (row.address or {})["country"] == "US" and row.tracking_number == booked.tracking_number
    env.run(acts.cancel_shipment, CancelShipmentInput(order_id=order_id))
    with pytest.raises(ApplicationError) as cancelled:
        env.run(acts.rebook_shipment, RebookShipmentInput(order_id=order_id, address=BOSTON))

    assert (unserved.value.type, unserved.value.non_retryable) == ("ShipmentRejected", True)
    assert (cancelled.value.type, cancelled.value.non_retryable) == ("ShipmentNotBooked", True)
