"""Shipment service: book the carrier and cancel the booking."""

from __future__ import annotations

from sqlalchemy import Engine
from temporalio import activity

from order_saga.contracts import (
    CancelShipmentInput,
    CancelShipmentResult,
    CreateShipmentInput,
    ShipmentResult,
)
from order_saga.db import shipments
from order_saga.db.engine import transaction
from order_saga.errors import ShipmentRejected, as_business_failure


class ShipmentActivities:
    def __init__(self, engine: Engine, *, carrier: str, unserved_countries: frozenset[str]) -> None:
        self._engine = engine
        self._carrier = carrier
        self._unserved = unserved_countries

    @activity.defn(name="create_shipment")
    def create_shipment(self, request: CreateShipmentInput) -> ShipmentResult:
        """Book the shipment; a destination the carrier does not serve is final."""
        with as_business_failure():
            country = request.address.country
            if country in self._unserved:
                raise ShipmentRejected(f"{self._carrier} does not ship to {country}")
            with transaction(self._engine) as session:
                shipment = shipments.create_shipment(
                    session=session,
                    order_id=request.order_id,
                    carrier=self._carrier,
                    address=request.address.model_dump(),
                )
                return ShipmentResult(
                    shipment_id=shipment.shipment_id,
                    carrier=shipment.carrier,
                    tracking_number=shipment.tracking_number or "",
                )

    @activity.defn(name="cancel_shipment")
    def cancel_shipment(self, request: CancelShipmentInput) -> CancelShipmentResult:
        """Compensation of create_shipment; safe to run twice or before the booking."""
        with transaction(self._engine) as session:
            cancelled = shipments.cancel_shipment(
                session=session, order_id=request.order_id, carrier=self._carrier
            )
        return CancelShipmentResult(order_id=request.order_id, cancelled=cancelled)
