"""Inventory rows in and out: stock never goes below zero, whatever races for the last unit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from activities.inventory.tables import InventoryReservation, Product
from activities.timestamps import utcnow


def products(*, session: Session, skus: Sequence[str]) -> dict[str, Product]:
    """The catalogue rows of these SKUs, by SKU."""
    rows = session.exec(select(Product).where(col(Product.sku).in_(skus))).all()
    return {p.sku: p for p in rows}


def take_stock(*, session: Session, sku: str, quantity: int) -> bool:
    """Decrement stock only if enough is left; False when it is not."""
    taken = session.execute(
        update(Product)
        .where(col(Product.sku) == sku, col(Product.stock) >= quantity)
        .values(stock=col(Product.stock) - quantity)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def return_stock(*, session: Session, sku: str, quantity: int) -> None:
    """Put units back on the shelf."""
    session.execute(
        update(Product).where(col(Product.sku) == sku).values(stock=col(Product.stock) + quantity)
    )


def reservations(
    *, session: Session, order_id: str, for_update: bool = False
) -> list[InventoryReservation]:
    """The order's reservation rows, locked for update when asked (where the database can)."""
    query = select(InventoryReservation).where(InventoryReservation.order_id == order_id)
    if for_update:
        query = query.with_for_update()
    return list(session.exec(query).all())


def add_reservation(
    *, session: Session, order_id: str, sku: str, quantity: int, status: str, workflow_id: str
) -> None:
    """A new reservation row, owned by the saga `workflow_id`."""
    session.add(
        InventoryReservation(
            order_id=order_id, sku=sku, quantity=quantity, status=status, workflow_id=workflow_id
        )
    )


def set_status(*, session: Session, reservation: InventoryReservation, status: str) -> None:
    """Move a reservation row to `status`."""
    reservation.status = status
    reservation.updated_at = utcnow()
    session.add(reservation)


def stock_of(*, session: Session, sku: str) -> int | None:
    """Units on hand, or None for an unknown SKU."""
    product = session.get(Product, sku)
    return None if product is None else product.stock
