"""Units on hand, per warehouse: the home warehouse's in the catalogue's row, every other's in
a row of its own. Stock never goes below zero, whatever races for the last unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from activities.inventory.tables import Product, WarehouseStock
from activities.messages import HOME_WAREHOUSE

PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]
STOCK: Table = WarehouseStock.__table__  # type: ignore[attr-defined]


def holdings(*, session: Session, skus: Sequence[str]) -> dict[str, dict[str, int]]:
    """Units of these SKUs on hand, by warehouse then SKU (what `order-saga stock show`
    lists)."""
    home = select(PRODUCTS.c.sku, PRODUCTS.c.stock).where(PRODUCTS.c.sku.in_(skus))
    return {HOME_WAREHOUSE: dict(session.execute(home).tuples().all())} | elsewhere(
        session=session, skus=skus
    )


def elsewhere(*, session: Session, skus: Sequence[str]) -> dict[str, dict[str, int]]:
    """Units of these SKUs in the warehouses other than the home one, by warehouse then SKU,
    locked until the transaction ends (where the database can), after the catalogue's rows
    and in SKU order (one lock order against deadlocks), so a plan made from them still
    holds when the stock is taken."""
    held: dict[str, dict[str, int]] = defaultdict(dict)
    others = select(STOCK.c.warehouse, STOCK.c.sku, STOCK.c.stock).where(STOCK.c.sku.in_(skus))
    ordered = others.order_by(STOCK.c.sku, STOCK.c.warehouse).with_for_update()
    for warehouse, sku, units in session.execute(ordered):
        held[warehouse][sku] = units
    return dict(held)


def _table(warehouse: str | None) -> tuple[Table, list[ColumnElement[bool]]]:
    """The table holding `warehouse`'s stock and the condition naming its rows."""
    if warehouse in (None, HOME_WAREHOUSE):
        return PRODUCTS, []
    return STOCK, [STOCK.c.warehouse == warehouse]


def take_stock(*, session: Session, sku: str, quantity: int, warehouse: str | None) -> bool:
    """Decrement stock only if enough is left; False when it is not."""
    table, where = _table(warehouse)
    taken = session.execute(
        update(table)
        .where(table.c.sku == sku, table.c.stock >= quantity, *where)
        .values(stock=table.c.stock - quantity)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def return_stock(*, session: Session, sku: str, quantity: int, warehouse: str | None) -> None:
    """Put units back on the warehouse's shelf."""
    table, where = _table(warehouse)
    session.execute(
        update(table).where(table.c.sku == sku, *where).values(stock=table.c.stock + quantity)
    )


def stock_of(*, session: Session, sku: str, warehouse: str | None = None) -> int | None:
    """Units on hand in the warehouse (the home one by default), or None if it has no row."""
    table, where = _table(warehouse)
    units: int | None = session.execute(
        select(table.c.stock).where(table.c.sku == sku, *where)
    ).scalar_one_or_none()
    return units


def set_stock(*, session: Session, sku: str, warehouse: str, units: int) -> None:
    """What a count found on the warehouse's shelf (the product must be in the catalogue)."""
    if warehouse == HOME_WAREHOUSE:
        session.execute(update(PRODUCTS).where(PRODUCTS.c.sku == sku).values(stock=units))
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    row = insert(STOCK).values(warehouse=warehouse, sku=sku, stock=units)
    counted = row.on_conflict_do_update(index_elements=["warehouse", "sku"], set_={"stock": units})
    session.execute(counted)
