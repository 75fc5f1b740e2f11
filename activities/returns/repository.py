"""Return rows in and out, and what the other services recorded of the order (read, never
written: the shipment row is only locked, so two returns of one order are checked one at a
time).

Plain statements through the session, as the other services' repositories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session

from activities.inventory.repository import PRODUCTS, RESERVATIONS
from activities.payment.repository import PAYMENTS
from activities.returns.rules import Sale, SoldLine
from activities.returns.tables import CLAIMING, OrderReturn
from activities.shipment.repository import SHIPMENTS
from activities.timestamps import utcnow

RETURNS: Table = OrderReturn.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReturnRow:
    """A return as the checks and the views need it."""

    return_id: str
    order_id: str
    number: int
    status: str
    lines: list[dict[str, Any]]
    amount: Decimal
    currency: str
    reason: str | None
    opened_by: str
    workflow_run: str
    refund_id: str | None
    request_key: str | None
    request_fingerprint: str | None
    created_at: datetime
    updated_at: datetime


_COLUMNS = tuple(RETURNS.c[name] for name in ReturnRow.__dataclass_fields__)


def read_sale(*, session: Session, order_id: str) -> Sale:
    """What the order shipped and took; its parcels' rows locked for the transaction (a
    live one speaks for the order: a parcel that could not ship is cancelled)."""
    parcels = session.execute(
        select(SHIPMENTS.c.status, SHIPMENTS.c.return_window_days)
        .where(SHIPMENTS.c.order_id == order_id)
        .with_for_update()
    ).all()
    shipment = next((p for p in parcels if p.status == "Created"), parcels[0] if parcels else None)
    payment = session.execute(
        select(PAYMENTS.c.status, PAYMENTS.c.amount, PAYMENTS.c.updated_at).where(
            PAYMENTS.c.order_id == order_id
        )
    ).first()
    rows = session.execute(
        select(
            RESERVATIONS.c.sku,
            RESERVATIONS.c.quantity,
            RESERVATIONS.c.status,
            RESERVATIONS.c.unit_price,
            RESERVATIONS.c.currency,
        ).where(RESERVATIONS.c.order_id == order_id)
    ).all()
    # Rows from before prices were kept: the catalogue's price (the price check held then).
    catalogue = {
        row.sku: row
        for row in session.execute(
            select(PRODUCTS.c.sku, PRODUCTS.c.unit_price, PRODUCTS.c.currency).where(
                PRODUCTS.c.sku.in_([row.sku for row in rows if row.unit_price is None])
            )
        )
    }
    lines = {
        row.sku: SoldLine(
            row.sku,
            row.quantity,
            row.unit_price if row.unit_price is not None else catalogue[row.sku].unit_price,
        )
        for row in rows
        if row.quantity > 0
        and row.status == "Reserved"  # shipped: a parcel that could not ship released its own
        and (row.unit_price is not None or row.sku in catalogue)
    }
    currencies = [row.currency or catalogue[row.sku].currency for row in rows if row.sku in lines]
    return Sale(
        order_id=order_id,
        shipment=shipment.status if shipment else None,
        payment=payment.status if payment else None,
        released=bool(rows) and all(row.status == "Released" for row in rows),
        captured=payment.amount if payment else Decimal("0.00"),
        captured_at=as_utc(payment.updated_at) if payment else None,
        currency=currencies[0] if currencies else "usd",
        lines=lines,
        window_days=shipment.return_window_days if shipment else None,
    )


def as_utc(moment: datetime) -> datetime:
    """A stored time as UTC: SQLite gives it back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def returns_of(*, session: Session, order_id: str, claiming_only: bool = False) -> list[ReturnRow]:
    """The order's returns, first first; only those that claim units and money if asked."""
    query = select(*_COLUMNS).where(RETURNS.c.order_id == order_id).order_by(RETURNS.c.number)
    if claiming_only:
        query = query.where(RETURNS.c.status.in_(sorted(CLAIMING)))
    return [ReturnRow(*row) for row in session.execute(query)]


def get_return(*, session: Session, return_id: str) -> ReturnRow | None:
    """One return, by its id."""
    row = session.execute(select(*_COLUMNS).where(RETURNS.c.return_id == return_id)).first()
    return ReturnRow(*row) if row else None


def return_by_key(*, session: Session, order_id: str, key: str) -> ReturnRow | None:
    """The order's return opened with the client's Idempotency-Key `key`, if any."""
    row = session.execute(
        select(*_COLUMNS).where(RETURNS.c.order_id == order_id, RETURNS.c.request_key == key)
    ).first()
    return ReturnRow(*row) if row else None


def add_return(*, session: Session, row: ReturnRow) -> None:
    """A new return's row."""
    session.execute(insert(RETURNS).values(**row.__dict__))


def set_status(
    *,
    session: Session,
    return_id: str,
    status: str,
    lines: Sequence[dict[str, Any]] | None = None,
    refund_id: str | None = None,
) -> None:
    """Move a return to `status`, with its lines as received and its refund when known."""
    values: dict[str, Any] = {"status": status, "updated_at": utcnow()}
    if lines is not None:
        values["lines"] = list(lines)
    if refund_id is not None:
        values["refund_id"] = refund_id
    session.execute(update(RETURNS).where(RETURNS.c.return_id == return_id).values(**values))
