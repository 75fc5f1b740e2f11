"""Shipment rows in and out."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from activities.shipment.tables import Shipment
from activities.timestamps import utcnow


def get_shipment(*, session: Session, order_id: str) -> Shipment | None:
    """The order's shipment row, locked for update where the database can."""
    query = select(Shipment).where(Shipment.order_id == order_id).with_for_update()
    return session.exec(query).first()


def add_shipment(
    *,
    session: Session,
    shipment_id: str,
    order_id: str,
    carrier: str,
    status: str,
    workflow_id: str,
    tracking_number: str | None = None,
    address: dict[str, Any] | None = None,
) -> Shipment:
    """A new shipment row, owned by the saga `workflow_id`."""
    shipment = Shipment(
        shipment_id=shipment_id,
        order_id=order_id,
        carrier=carrier,
        tracking_number=tracking_number,
        status=status,
        address=address,
        workflow_id=workflow_id,
    )
    session.add(shipment)
    session.flush()
    return shipment


def set_status(*, session: Session, shipment: Shipment, status: str) -> None:
    """Move a shipment row to `status`."""
    shipment.status = status
    shipment.updated_at = utcnow()
    session.add(shipment)
    session.flush()
