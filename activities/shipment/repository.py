"""Shipment rows in and out, as plain statements through the session (no ORM unit of work:
it cost more CPU than the statements)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session

from activities.messages import HOME_WAREHOUSE
from activities.ownership import Owner
from activities.shipment.tables import Shipment
from activities.timestamps import utcnow

SHIPMENTS: Table = Shipment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShipmentRow:
    """What the activities need of an order's shipment row."""

    shipment_id: str
    carrier: str
    tracking_number: str | None
    status: str
    workflow_id: str | None
    saga_run: str | None
    warehouse: str  # the parcel's


_COLUMNS = (
    SHIPMENTS.c.shipment_id,
    SHIPMENTS.c.carrier,
    SHIPMENTS.c.tracking_number,
    SHIPMENTS.c.status,
    SHIPMENTS.c.workflow_id,
    SHIPMENTS.c.saga_run,
    SHIPMENTS.c.warehouse,
)


def get_shipment(
    *, session: Session, order_id: str, warehouse: str = HOME_WAREHOUSE
) -> ShipmentRow | None:
    """The order's parcel from `warehouse`, locked for update where the database can."""
    query = select(*_COLUMNS).where(
        SHIPMENTS.c.order_id == order_id, SHIPMENTS.c.warehouse == warehouse
    )
    row = session.execute(query.with_for_update()).first()
    return ShipmentRow(*row) if row else None


def parcels(*, session: Session, order_id: str) -> list[ShipmentRow]:
    """Every parcel of the order, locked for update where the database can."""
    query = select(*_COLUMNS).where(SHIPMENTS.c.order_id == order_id)
    return [ShipmentRow(*row) for row in session.execute(query.with_for_update())]


def add_shipment(
    *,
    session: Session,
    shipment_id: str,
    order_id: str,
    carrier: str,
    status: str,
    owner: Owner,
    tracking_number: str | None = None,
    address: dict[str, Any] | None = None,
    return_window_days: int | None = None,
    warehouse: str = HOME_WAREHOUSE,
) -> ShipmentRow:
    """A new shipment row (the order's parcel from `warehouse`), owned by the run chain
    `owner`."""
    now = utcnow()
    values: dict[str, Any] = {
        "shipment_id": shipment_id,
        "order_id": order_id,
        "warehouse": warehouse,
        "carrier": carrier,
        "tracking_number": tracking_number,
        "status": status,
        "workflow_id": owner.workflow_id,
        "saga_run": owner.saga_run,
        "return_window_days": return_window_days,
        "created_at": now,
        "updated_at": now,
    }
    if address is not None:  # left out, not JSON null, as the ORM did
        values["address"] = address
    session.execute(insert(SHIPMENTS).values(**values))
    return ShipmentRow(
        shipment_id, carrier, tracking_number, status, owner.workflow_id, owner.saga_run, warehouse
    )


def set_status(*, session: Session, shipment: ShipmentRow, status: str) -> None:
    """Move a shipment row to `status`."""
    session.execute(
        update(SHIPMENTS)
        .where(SHIPMENTS.c.shipment_id == shipment.shipment_id)
        .values(status=status, updated_at=utcnow())
    )


def address_of(*, session: Session, shipment: ShipmentRow) -> dict[str, Any] | None:
    """Where the booking ships to."""
    query = select(SHIPMENTS.c.address).where(SHIPMENTS.c.shipment_id == shipment.shipment_id)
    address: dict[str, Any] | None = session.execute(query).scalar()
    return address


def rebook(
    *, session: Session, shipment: ShipmentRow, address: dict[str, Any], tracking_number: str
) -> None:
    """The booking moved to a new address under a new tracking number."""
    session.execute(
        update(SHIPMENTS)
        .where(SHIPMENTS.c.shipment_id == shipment.shipment_id)
        .values(address=address, tracking_number=tracking_number, updated_at=utcnow())
    )
