"""The returns' part of the books: what the orders' refunded returns gave back (minor units,
per order) and what they put back on the shelf (units, per SKU and warehouse: `stock_key`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from activities.inventory.tables import Restock
from activities.messages import HOME_WAREHOUSE
from activities.money import to_minor_units
from activities.returns.tables import OrderReturn, ReturnStatus


def returned_and_restocked(
    session: Session, orders: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Money refunded by the orders' returns, and units their returns restocked."""
    rows = session.exec(select(OrderReturn).where(col(OrderReturn.order_id).in_(orders))).all()
    money: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.status == ReturnStatus.REFUNDED:
            money[row.order_id] += to_minor_units(row.amount, row.currency)
    ids = [row.return_id for row in rows]
    units: dict[str, int] = defaultdict(int)
    for restock in session.exec(select(Restock).where(col(Restock.return_id).in_(ids))).all():
        units[stock_key(restock.sku, restock.warehouse)] += restock.quantity
    return money, units


def stock_key(sku: str, warehouse: str | None) -> str:
    """How the books name a SKU's stock in a warehouse: the SKU alone for the home one,
    `SKU@WAREHOUSE` for another."""
    return sku if warehouse in (None, HOME_WAREHOUSE) else f"{sku}@{warehouse}"
