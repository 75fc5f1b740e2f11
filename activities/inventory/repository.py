"""Reservation and restock rows in and out (the stock they move: `stock.py`).

Plain statements through the session, not the ORM's unit of work, which cost more CPU
than the statements themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session

from activities.inventory.stock import return_stock
from activities.inventory.tables import InventoryReservation, Product, Restock
from activities.messages import HOME_WAREHOUSE
from activities.ownership import Owner
from activities.timestamps import utcnow

PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]
RESERVATIONS: Table = InventoryReservation.__table__  # type: ignore[attr-defined]
RESTOCKS: Table = Restock.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CatalogueEntry:
    """A product's price, as the price check needs it."""

    sku: str
    unit_price: Decimal
    currency: str
    stock: int  # in the home warehouse


@dataclass(frozen=True)
class ReservationRow:
    """One line of an order's reservation."""

    id: int
    sku: str
    quantity: int
    status: str
    workflow_id: str | None
    saga_run: str | None
    warehouse: str  # where its units are held


def products(
    *, session: Session, skus: Sequence[str], for_update: bool = False
) -> dict[str, CatalogueEntry]:
    """The catalogue entries of these SKUs, by SKU; locked for update in SKU order when
    asked (where the database can): their stock is the home warehouse's."""
    query = select(
        PRODUCTS.c.sku, PRODUCTS.c.unit_price, PRODUCTS.c.currency, PRODUCTS.c.stock
    ).where(PRODUCTS.c.sku.in_(skus))
    if for_update:
        query = query.order_by(PRODUCTS.c.sku).with_for_update()
    return {row.sku: CatalogueEntry(*row) for row in session.execute(query)}


def reservations(
    *, session: Session, order_id: str, for_update: bool = False
) -> list[ReservationRow]:
    """The order's reservation rows, locked for update when asked (where the database can)."""
    columns = (
        RESERVATIONS.c[name]
        for name in ("id", "sku", "quantity", "status", "workflow_id", "saga_run", "warehouse")
    )
    query = select(*columns).where(RESERVATIONS.c.order_id == order_id)
    if for_update:
        query = query.with_for_update()
    return [
        ReservationRow(
            id=row.id,
            sku=row.sku,
            quantity=row.quantity,
            status=row.status,
            workflow_id=row.workflow_id,
            saga_run=row.saga_run,
            warehouse=row.warehouse or HOME_WAREHOUSE,
        )
        for row in session.execute(query)
    ]


def add_reservation(
    *,
    session: Session,
    order_id: str,
    sku: str,
    quantity: int,
    status: str,
    owner: Owner,
    unit_price: Decimal | None = None,
    currency: str | None = None,
    warehouse: str | None = None,
) -> None:
    """A new reservation row, owned by the run chain `owner`, with what a unit sold for and
    where its units are held."""
    now = utcnow()
    session.execute(
        insert(RESERVATIONS).values(
            order_id=order_id,
            sku=sku,
            quantity=quantity,
            status=status,
            unit_price=unit_price,
            currency=currency,
            warehouse=warehouse,
            workflow_id=owner.workflow_id,
            saga_run=owner.saga_run,
            created_at=now,
            updated_at=now,
        )
    )


def set_status(*, session: Session, reservation: ReservationRow, status: str) -> None:
    """Move a reservation row to `status`."""
    session.execute(
        update(RESERVATIONS)
        .where(RESERVATIONS.c.id == reservation.id)
        .values(status=status, updated_at=utcnow())
    )


def restock(*, session: Session, return_id: str, sku: str, quantity: int, warehouse: str) -> bool:
    """Put a return's units back once, in the warehouse they shipped from: False when this
    return already did."""
    done = session.execute(
        select(RESTOCKS.c.quantity).where(RESTOCKS.c.return_id == return_id, RESTOCKS.c.sku == sku)
    ).first()
    if done is not None:
        return False
    session.execute(
        insert(RESTOCKS).values(
            return_id=return_id,
            sku=sku,
            quantity=quantity,
            warehouse=warehouse,
            created_at=utcnow(),
        )
    )
    return_stock(session=session, sku=sku, quantity=quantity, warehouse=warehouse)
    return True


def set_quantity(*, session: Session, reservation: ReservationRow, quantity: int) -> None:
    """Keep fewer units of a reserved line (the rest went back to the shelf)."""
    session.execute(
        update(RESERVATIONS)
        .where(RESERVATIONS.c.id == reservation.id)
        .values(quantity=quantity, updated_at=utcnow())
    )
