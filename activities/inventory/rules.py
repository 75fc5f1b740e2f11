"""Inventory's business decisions: what the catalogue must say before stock is taken."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from activities.failures import BusinessError
from activities.inventory.contracts import (
    OrderItem,
    PricedLine,
    ReservationResult,
)
from activities.messages import HOME_WAREHOUSE


class UnknownProduct(BusinessError):
    type = "UnknownProduct"


class OutOfStock(BusinessError):
    type = "OutOfStock"


class PriceMismatch(BusinessError):
    type = "PriceMismatch"


class CataloguePrice(Protocol):
    """A product's price as the catalogue states it."""

    @property
    def unit_price(self) -> Decimal:
        """The price of one unit."""

    @property
    def currency(self) -> str:
        """Lower-case ISO code."""


def check_prices(
    items: Sequence[OrderItem], catalogue: Mapping[str, CataloguePrice], currency: str
) -> None:
    """The client's prices are never trusted: each must equal the catalogue's, currency too."""
    for item in items:
        product = catalogue.get(item.sku)
        if product is None:
            raise UnknownProduct(f"unknown sku {item.sku!r}")
        if product.currency != currency or product.unit_price != item.unit_price:
            raise PriceMismatch(
                f"{item.sku}: requested {item.unit_price} {currency.upper()}, "
                f"catalogue says {product.unit_price} {product.currency.upper()}"
            )


def out_of_stock(item: OrderItem) -> OutOfStock:
    """The failure of a line the stock cannot cover."""
    return OutOfStock(f"{item.sku}: fewer than {item.quantity} in stock")


def priced(
    order_id: str,
    currency: str,
    items: Sequence[OrderItem],
    warehouses: Mapping[str, str],
) -> ReservationResult:
    """The reservation's lines, each with its warehouse, and total; prices were checked equal
    to the catalogue's."""
    lines = [
        PricedLine(
            sku=i.sku,
            quantity=i.quantity,
            unit_price=i.unit_price,
            warehouse=warehouses.get(i.sku, HOME_WAREHOUSE),
        )
        for i in items
    ]
    total = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    return ReservationResult(order_id=order_id, lines=lines, total=total, currency=currency)
