"""Order validation: bad input is refused with the field named, before anything runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from activities.money import to_minor_units
from order_saga.field_errors import describe_validation_error
from tests.helpers import order_data
from workflows.order_request import OrderRequest


def test_the_documented_request_is_valid_and_gets_an_order_id() -> None:
    order = OrderRequest.model_validate(order_data())
    assert order.order_id.startswith("o-")
    assert order.workflow_id == f"order-{order.order_id}"
    assert order.items[0].unit_price == Decimal("19.99")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"sku": "a", "quantity": 0, "unit_price": "1.00"}]}, "items.0.quantity"),
        ({"items": [{"sku": "a", "quantity": 1, "unit_price": "-1.00"}]}, "items.0.unit_price"),
        ({"items": [{"sku": "a", "quantity": 1, "unit_price": "1.001"}]}, "items.0.unit_price"),
        ({"items": [{"sku": "a", "quantity": 1, "unit_price": "NaN"}]}, "items.0.unit_price"),
        (
            {
                "items": [
                    {"sku": "a", "quantity": 1, "unit_price": "1"},
                    {"sku": "a", "quantity": 2, "unit_price": "1"},
                ]
            },
            "items",
        ),
        ({"currency": "doubloons"}, "currency"),
        ({"payment_method": "4242424242424242"}, "payment_method"),
        ({"payment_method": "pm_card visa"}, "payment_method"),
        (
            {"shipping_address": {"street": "x", "city": "y", "zip_code": "1", "country": "USA"}},
            "shipping_address.country",
        ),
        ({"customer_id": ""}, "customer_id"),
        ({"customer_email": "jane.example.com"}, "customer_email"),
        ({"customer_email": "jane@"}, "customer_email"),
        ({"customer_email": "jane@example.com\nBcc: all@example.com"}, "customer_email"),
        ({"order_id": "o 1; drop"}, "order_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        OrderRequest.model_validate(order_data(**changes))
    assert describe_validation_error(raised.value).startswith(f"{field}: ")


def test_float_prices_do_not_sneak_in_binary_noise() -> None:
    order = OrderRequest.model_validate(
        order_data(items=[{"sku": "a", "quantity": 1, "unit_price": 0.1}])
    )
    assert order.items[0].unit_price == Decimal("0.10")


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("39.98", "usd", 3998), ("0.10", "eur", 10), ("1500", "jpy", 1500), ("89.48", "gbp", 8948)],
)
def test_minor_units_are_exact(amount: str, currency: str, units: int) -> None:
    assert to_minor_units(Decimal(amount), currency) == units


def test_fractional_yen_is_refused() -> None:
    with pytest.raises(ValueError, match="minor units"):
        to_minor_units(Decimal("10.50"), "jpy")


def test_fractional_yen_order_is_refused_up_front() -> None:
    with pytest.raises(ValidationError) as raised:
        OrderRequest.model_validate(
            order_data(currency="jpy", items=[{"sku": "a", "quantity": 1, "unit_price": "10.50"}])
        )
    assert "items.0.unit_price" in describe_validation_error(raised.value)
