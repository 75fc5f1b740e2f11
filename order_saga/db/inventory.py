"""Inventory repository: stock never goes below zero, whatever races for the last unit."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, select

from order_saga.contracts import OrderItem, PricedLine, ReservationResult
from order_saga.db.models import InventoryReservation, Product, ReservationStatus, utcnow
from order_saga.errors import OrderAlreadyCompensated, OutOfStock, PriceMismatch, UnknownProduct


def reserve(
    *, session: Session, order_id: str, currency: str, items: Sequence[OrderItem]
) -> ReservationResult:
    """Reserve every line or none; a second call for the same order changes nothing."""
    existing = _reservations(session, order_id)
    if existing:
        if any(r.status == ReservationStatus.RELEASED for r in existing):
            raise OrderAlreadyCompensated(f"order {order_id} was already released")
        return _priced(order_id, currency, items)

    products = _catalogue(session, [item.sku for item in items])
    for item in items:
        product = products.get(item.sku)
        if product is None:
            raise UnknownProduct(f"unknown sku {item.sku!r}")
        if product.currency != currency or product.unit_price != item.unit_price:
            raise PriceMismatch(
                f"{item.sku}: requested {item.unit_price} {currency.upper()}, "
                f"catalogue says {product.unit_price} {product.currency.upper()}"
            )
    # Lock rows in one global order so concurrent multi-line orders cannot deadlock.
    for item in sorted(items, key=lambda i: i.sku):
        decremented = session.execute(
            update(Product)
            .where(col(Product.sku) == item.sku, col(Product.stock) >= item.quantity)
            .values(stock=col(Product.stock) - item.quantity)
        )
        if decremented.rowcount != 1:  # type: ignore[attr-defined]
            raise OutOfStock(f"{item.sku}: fewer than {item.quantity} in stock")
        session.add(
            InventoryReservation(
                order_id=order_id,
                sku=item.sku,
                quantity=item.quantity,
                status=ReservationStatus.RESERVED,
            )
        )
    session.flush()
    return _priced(order_id, currency, items)


def release(*, session: Session, order_id: str, skus: Sequence[str]) -> int:
    """Give reserved units back once; leave a tombstone so a late reserve cannot land."""
    released = 0
    existing = {r.sku: r for r in _reservations(session, order_id, for_update=True)}
    for reservation in existing.values():
        if reservation.status != ReservationStatus.RESERVED:
            continue
        session.execute(
            update(Product)
            .where(col(Product.sku) == reservation.sku)
            .values(stock=col(Product.stock) + reservation.quantity)
        )
        reservation.status = ReservationStatus.RELEASED
        reservation.updated_at = utcnow()
        session.add(reservation)
        released += reservation.quantity
    for sku in sorted(set(skus) - existing.keys()):
        session.add(
            InventoryReservation(
                order_id=order_id, sku=sku, quantity=0, status=ReservationStatus.RELEASED
            )
        )
    session.flush()
    return released


def stock_of(*, session: Session, sku: str) -> int | None:
    """Units on hand, or None for an unknown SKU."""
    product = session.get(Product, sku)
    return None if product is None else product.stock


def _reservations(
    session: Session, order_id: str, *, for_update: bool = False
) -> list[InventoryReservation]:
    query = select(InventoryReservation).where(InventoryReservation.order_id == order_id)
    if for_update:
        query = query.with_for_update()
    return list(session.exec(query).all())


def _catalogue(session: Session, skus: Sequence[str]) -> dict[str, Product]:
    rows = session.exec(select(Product).where(col(Product.sku).in_(skus))).all()
    return {p.sku: p for p in rows}


def _priced(order_id: str, currency: str, items: Sequence[OrderItem]) -> ReservationResult:
    # Prices were checked equal to the catalogue's, so the request's are the catalogue's.
    lines = [PricedLine(sku=i.sku, quantity=i.quantity, unit_price=i.unit_price) for i in items]
    total = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    return ReservationResult(order_id=order_id, lines=lines, total=total, currency=currency)
