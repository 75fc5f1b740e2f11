"""What the inventory activities take and return, and the order line they reserve."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Protocol, TypeVar

from pydantic import Field

from activities.messages import HOME_WAREHOUSE, Strict, WholeNumber
from activities.money import Price
from activities.ownership import OrderScoped


class HasSku(Protocol):
    """A line of goods: an order's, a return's."""

    @property
    def sku(self) -> str:
        """The product's SKU."""
        ...


ItemT = TypeVar("ItemT", bound=HasSku)

# The catalogue's and the reservations' sku columns hold 64 characters.
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


def distinct_skus(items: list[ItemT]) -> list[ItemT]:
    """The items, if each SKU appears once; the repeated ones named otherwise."""
    skus = [item.sku for item in items]
    repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
    if repeated:
        raise ValueError(f"each sku may appear once; repeated: {', '.join(repeated)}")
    return items


class OrderItem(Strict):
    sku: Sku
    quantity: Annotated[WholeNumber, Field(ge=1, le=10_000)]
    unit_price: Price


class PricedLine(Strict):
    sku: str
    quantity: int
    unit_price: Decimal
    warehouse: str = HOME_WAREHOUSE  # the one that holds (and ships) the whole line


class ReserveInventoryInput(OrderScoped):
    currency: str
    items: list[OrderItem]


class ReservationResult(Strict):
    order_id: str
    lines: list[PricedLine]
    total: Decimal
    currency: str


class LineQuantity(Strict):
    """A line's new quantity: fewer units than reserved (0: none of it)."""

    sku: Sku
    quantity: Annotated[WholeNumber, Field(ge=0, le=10_000)]


class ShrinkReservationInput(OrderScoped):
    lines: Annotated[list[LineQuantity], Field(min_length=1, max_length=100)]


class ShrinkResult(Strict):
    order_id: str
    released_units: int  # back on the shelf by this call (0 for a repeat)


class ReleaseInventoryInput(OrderScoped):
    skus: list[str]
    # Only the lines held in these warehouses (parcels that could not ship); none: all.
    warehouses: list[str] = Field(default_factory=list)


class ReleaseResult(Strict):
    order_id: str
    released_units: int
    # False when the step had not taken effect (nothing reserved, charged or booked), so
    # there was nothing to give back; a saga shows such an undo as skipped, not as run.
    took_effect: bool = True


class RestockLine(Strict):
    sku: str
    quantity: int


class RestockInput(Strict):
    """A return's usable units, back on the shelf once per return and SKU."""

    order_id: str
    return_id: str
    lines: list[RestockLine]


class RestockResult(Strict):
    return_id: str
    restocked_units: int  # by this call: 0 when a retry finds it done
