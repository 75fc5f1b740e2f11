"""What the inventory activities take and return, and the order line they reserve."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from activities.messages import NonEmpty, Strict
from activities.money import Price


class OrderItem(Strict):
    sku: NonEmpty
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price: Price


class PricedLine(Strict):
    sku: str
    quantity: int
    unit_price: Decimal


class ReserveInventoryInput(Strict):
    order_id: str
    currency: str
    items: list[OrderItem]


class ReservationResult(Strict):
    order_id: str
    lines: list[PricedLine]
    total: Decimal
    currency: str


class ReleaseInventoryInput(Strict):
    order_id: str
    skus: list[str]


class ReleaseResult(Strict):
    order_id: str
    released_units: int
