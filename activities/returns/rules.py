"""What may be returned and what it refunds: never more units than were shipped, never
more money than was captured, and nothing after the window. Pure functions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from activities.failures import BusinessError
from activities.returns.contracts import ReturnedItem, ReturnLine


class ReturnRefused(BusinessError):
    """The order has nothing (more) to return as asked: the message says why."""

    type = "ReturnRefused"


class ReturnNumberTaken(BusinessError):
    """Another return, one Temporal no longer keeps, has this id: the client takes the next."""

    type = "ReturnNumberTaken"


class ReturnOpenedBefore(BusinessError):
    """The same request (its Idempotency-Key and items) opened a return before: the message
    is that return's id, which the client answers with."""

    type = "ReturnOpenedBefore"


class ReturnKeyReused(BusinessError):
    """The Idempotency-Key opened another return (other items or reason): nothing opened."""

    type = "ReturnKeyReused"


@dataclass(frozen=True)
class SoldLine:
    """A shipped line: how many units, and what each was sold for."""

    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Sale:
    """What an order shipped and took, as the other services recorded it."""

    order_id: str
    shipment: str | None  # the shipment's status
    payment: str | None  # the payment's status
    released: bool  # the reservation was given back (an undo ran)
    captured: Decimal
    captured_at: datetime | None
    currency: str
    lines: Mapping[str, SoldLine]
    window_days: int | None = None  # the order's own return window, if it set one


def fingerprint(items: list[ReturnedItem], reason: str | None) -> str:
    """A digest of what a return asks (its items in any order, its reason): the same
    Idempotency-Key with another digest is another request."""
    asked = sorted((item.sku, item.quantity) for item in items)
    return hashlib.sha256(json.dumps([asked, reason]).encode()).hexdigest()


def check_shipped(sale: Sale) -> None:
    """Refuse, naming why, an order that shipped nothing or took no money."""
    order = sale.order_id
    if sale.released or sale.shipment == "Cancelled" or sale.payment in ("Voided", "Failed"):
        raise ReturnRefused(f"order {order} was cancelled or undone: nothing was shipped")
    if sale.payment == "Refunded":
        raise ReturnRefused(f"order {order} was refunded in full: nothing is left to return")
    if sale.payment == "Authorized":
        raise ReturnRefused(f"order {order} is not yet handed to the carrier")
    if sale.shipment is None or sale.payment != "Captured" or not sale.lines:
        raise ReturnRefused(f"order {order} has no shipped items to return")


def window_end(handed_over_at: datetime, days: int) -> datetime:
    """The last moment a return may be opened."""
    return handed_over_at + timedelta(days=days)


def check_window(order_id: str, opened_at: datetime, ends: datetime) -> None:
    """Refuse a return after the window, naming the date it closed."""
    if opened_at > ends:
        raise ReturnRefused(f"order {order_id}'s return window closed on {ends:%Y-%m-%d %H:%M UTC}")


def priced_lines(
    order_id: str,
    items: list[ReturnedItem],
    sold: Mapping[str, SoldLine],
    claimed: Mapping[str, int],
) -> list[ReturnLine]:
    """The return's lines at their sold prices; refused for a SKU the order did not ship or
    for more units than are left once the order's other returns are counted."""
    lines = []
    for item in items:
        line = sold.get(item.sku)
        if line is None:
            raise ReturnRefused(f"items: {item.sku} was not shipped with order {order_id}")
        left = line.quantity - claimed.get(item.sku, 0)
        if item.quantity > left:
            raise ReturnRefused(
                f"items: {item.quantity} x {item.sku} asked, {max(left, 0)} left to return "
                f"({line.quantity} shipped, {claimed.get(item.sku, 0)} in other returns)"
            )
        lines.append(ReturnLine(sku=item.sku, quantity=item.quantity, unit_price=line.unit_price))
    return lines


def refund_amount(
    order_id: str,
    lines: list[ReturnLine],
    sold: Mapping[str, SoldLine],
    claimed: Mapping[str, int],
    captured: Decimal,
    refunded_by_others: Decimal,
) -> Decimal:
    """The lines' worth; the whole rest of what was captured (shipping with it) when this
    return brings the last units back; never more than is left."""
    left = captured - refunded_by_others
    everything_back = all(
        claimed.get(sku, 0) + sum(x.quantity for x in lines if x.sku == sku) >= line.quantity
        for sku, line in sold.items()
    )
    worth = sum((x.unit_price * x.quantity for x in lines), Decimal("0.00"))
    amount = left if everything_back else min(worth, left)
    if amount <= 0:
        raise ReturnRefused(f"order {order_id}: everything captured was already refunded")
    return amount
