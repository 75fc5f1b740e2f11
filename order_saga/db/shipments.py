"""Shipments repository: one shipment per order, cancelled rather than deleted."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlmodel import Session, select

from order_saga.db.models import Shipment, ShipmentStatus, utcnow
from order_saga.errors import OrderAlreadyCompensated


def get_shipment(*, session: Session, order_id: str) -> Shipment | None:
    """The order's shipment row, locked for update where the database can."""
    query = select(Shipment).where(Shipment.order_id == order_id).with_for_update()
    return session.exec(query).first()


def create_shipment(
    *, session: Session, order_id: str, carrier: str, address: dict[str, Any]
) -> Shipment:
    """Book the shipment once; a repeated call returns the booking already made."""
    shipment = get_shipment(session=session, order_id=order_id)
    if shipment is not None:
        if shipment.status == ShipmentStatus.CANCELLED:
            raise OrderAlreadyCompensated(f"shipment for order {order_id} was cancelled")
        return shipment
    shipment = Shipment(
        shipment_id=f"shp_{uuid.uuid4().hex}",
        order_id=order_id,
        carrier=carrier,
        tracking_number=f"1Z{secrets.token_hex(8).upper()}",
        status=ShipmentStatus.CREATED,
        address=address,
    )
    session.add(shipment)
    session.flush()
    return shipment


def cancel_shipment(*, session: Session, order_id: str, carrier: str) -> bool:
    """Cancel once; with no shipment yet, leave a cancelled row so a late booking is refused."""
    shipment = get_shipment(session=session, order_id=order_id)
    if shipment is None:
        session.add(
            Shipment(
                shipment_id=f"shp_{uuid.uuid4().hex}",
                order_id=order_id,
                carrier=carrier,
                status=ShipmentStatus.CANCELLED,
            )
        )
        session.flush()
        return False
    if shipment.status == ShipmentStatus.CANCELLED:
        return False
    shipment.status = ShipmentStatus.CANCELLED
    shipment.updated_at = utcnow()
    session.add(shipment)
    session.flush()
    return True
