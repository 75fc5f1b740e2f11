"""Properties of the order contract, over generated requests: nothing valid is refused, every
invalid request is refused naming its field, and every valid one fits both databases' columns."""

from __future__ import annotations

import copy
import string
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from activities.inventory.tables import InventoryReservation, ReservationStatus
from activities.messages import HIDDEN_CATEGORIES
from activities.payment.tables import Payment, PaymentStatus
from activities.shipment.tables import Shipment, ShipmentStatus
from order_saga.field_errors import describe_validation_error
from workflows.order_request import OrderRequest

text = st.text(
    alphabet=st.characters(blacklist_categories=tuple(HIDDEN_CATEGORIES)),
    min_size=1,
    max_size=200,
)
skus = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)
prices = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def valid_orders(draw: st.DrawFn) -> dict[str, Any]:
    """Valid order requests as a client sends them, to the limits of every field."""
    lines = draw(st.lists(skus, min_size=1, max_size=5, unique=True))
    return {
        "order_id": draw(st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True)),
        "customer_id": draw(text),
        "items": [
            {
                "sku": sku,
                "quantity": draw(st.integers(min_value=1, max_value=100)),
                "unit_price": str(draw(prices)),
            }
            for sku in lines
        ],
        "currency": draw(st.sampled_from(["usd", "eur", "gbp", "USD"])),
        "payment_method": "pm_" + draw(st.from_regex(r"[A-Za-z0-9_]{1,200}", fullmatch=True)),
        "shipping_address": {
            "street": draw(text),
            "city": draw(text),
            "state": draw(st.text(alphabet=string.ascii_letters + " ", max_size=100)),
            "zip_code": draw(text),
            "country": draw(st.from_regex(r"[A-Za-z]{2}", fullmatch=True)),
        },
        "handover_delay_seconds": draw(st.integers(min_value=0, max_value=30 * 86400)),
    }


# (field path, a bad value for it)
INVALID = [
    ("order_id", ""),
    ("order_id", "x" * 65),
    ("order_id", "o-1\x00"),
    ("customer_id", ""),
    ("customer_id", "c" * 201),
    ("customer_id", "cust\x00"),
    ("items", []),
    ("items.0.sku", ""),
    ("items.0.sku", "s" * 65),
    ("items.0.sku", "sku\nDROP"),
    ("items.0.sku", "-leading-dash"),
    ("items.0.quantity", True),
    ("items.0.quantity", 0),
    ("items.0.quantity", 10_001),
    ("items.0.quantity", 2.5),
    ("items.0.unit_price", "-1"),
    ("items.0.unit_price", "1.001"),
    ("items.0.unit_price", "NaN"),
    ("items.0.unit_price", "100000000"),
    ("currency", "doubloons"),
    ("payment_method", "4242424242424242"),
    ("shipping_address.street", "1 Main St\x00"),
    ("shipping_address.city", "\x1b[31mred"),
    ("shipping_address.zip_code", "z" * 201),
    ("shipping_address.state", "s" * 101),
    ("shipping_address.country", "USA"),
    ("handover_delay_seconds", True),
    ("handover_delay_seconds", -1),
]


def with_value(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    *parents, last = path.split(".")
    node: Any = changed
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return changed


@given(valid_orders())
def test_nothing_valid_is_refused(data: dict[str, Any]) -> None:
    order = OrderRequest.model_validate(data)
    assert order.workflow_id == f"order-{data['order_id']}"


@given(valid_orders(), st.sampled_from(INVALID))
def test_every_invalid_request_is_refused_naming_its_field(
    data: dict[str, Any], bad: tuple[str, object]
) -> None:
    path, value = bad
    with pytest.raises(ValidationError) as refused:
        OrderRequest.model_validate(with_value(data, path, value))
    assert path in describe_validation_error(refused.value)


@given(valid_orders())
def test_a_total_beyond_the_largest_charge_is_refused(data: dict[str, Any]) -> None:
    data["items"][0].update(quantity=10_000, unit_price="99999.99")  # 999,999,900.00
    with pytest.raises(ValidationError) as refused:
        OrderRequest.model_validate(data)
    assert "items" in describe_validation_error(refused.value)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=valid_orders())
def test_every_valid_request_fits_the_columns(db: Engine, data: dict[str, Any]) -> None:
    order = OrderRequest.model_validate(data)
    order_id = f"{order.order_id}-{uuid.uuid4().hex[:8]}"[-64:]  # unique across examples
    with Session(db) as session:
        session.begin()
        for item in order.items:
            session.add(
                InventoryReservation(
                    order_id=order_id,
                    sku=item.sku,
                    quantity=item.quantity,
                    status=ReservationStatus.RESERVED,
                    workflow_id=order.workflow_id,
                )
            )
        session.add(
            Payment(
                payment_id=f"pay_{uuid.uuid4().hex}",
                order_id=order_id,
                amount=order.total,
                payment_method=order.payment_method,
                status=PaymentStatus.PENDING,
                workflow_id=order.workflow_id,
            )
        )
        session.add(
            Shipment(
                shipment_id=f"shp_{uuid.uuid4().hex}",
                order_id=order_id,
                carrier="ACME",
                status=ShipmentStatus.CREATED,
                address=order.shipping_address.model_dump(),
                workflow_id=order.workflow_id,
            )
        )
        session.flush()  # every INSERT runs, so a value too long or a NUL fails here
        session.rollback()
    assert order.total <= Decimal("99999999.99")
