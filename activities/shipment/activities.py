"""Shipment activities: book the carrier, move the booking to an amended address, and cancel
it (the undo)."""

from __future__ import annotations

from collections.abc import Set
from datetime import timedelta

from sqlalchemy import Engine
from temporalio import activity

from activities.activity_call import ActivityCall, compensation_call
from activities.database import transaction
from activities.failures import OrderAlreadyCompensated, reports_failures
from activities.ownership import current_saga, refuse_foreign, skip_foreign
from activities.retries import STEP_DEADLINE, step_retry
from activities.shipment import repository, rules
from activities.shipment.contracts import (
    CancelShipmentInput,
    CancelShipmentResult,
    CreateShipmentInput,
    RebookShipmentInput,
    ShipmentResult,
)
from activities.shipment.tables import ShipmentStatus


class ShipmentActivities:
    def __init__(self, engine: Engine, *, carrier: str, unserved_countries: Set[str]) -> None:
        self._engine = engine
        self._carrier = carrier
        self._unserved = unserved_countries

    @activity.defn(name="create_shipment")
    @reports_failures
    def create_shipment(self, request: CreateShipmentInput) -> ShipmentResult:
        """Book the shipment once; a repeated call returns the booking already made."""
        rules.check_destination(
            request.address.country, carrier=self._carrier, unserved=self._unserved
        )
        saga = current_saga(request)
        with transaction(self._engine) as session:
            shipment = repository.get_shipment(session=session, order_id=request.order_id)
            refuse_foreign(shipment, saga, f"the shipment of {request.order_id}")
            if shipment is not None and shipment.status == ShipmentStatus.CANCELLED:
                raise OrderAlreadyCompensated(
                    f"shipment for order {request.order_id} was cancelled"
                )
            shipment = shipment or repository.add_shipment(
                session=session,
                shipment_id=rules.new_shipment_id(),
                order_id=request.order_id,
                carrier=self._carrier,
                tracking_number=rules.new_tracking_number(),
                status=ShipmentStatus.CREATED,
                owner=saga,
                address=request.address.model_dump(),
                return_window_days=request.return_window_days,
            )
            return ShipmentResult(
                shipment_id=shipment.shipment_id,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number or "",
            )

    @activity.defn(name="rebook_shipment")
    @reports_failures
    def rebook_shipment(self, request: RebookShipmentInput) -> ShipmentResult:
        """Move the order's booking to a new address (the carrier's cancel and book, as one
        booking under a new tracking number); a repeated call returns the booking as moved.
        An unserved destination is refused and the booking stays as it was."""
        rules.check_destination(
            request.address.country, carrier=self._carrier, unserved=self._unserved
        )
        saga = current_saga(request)
        address = request.address.model_dump()
        with transaction(self._engine) as session:
            shipment = repository.get_shipment(session=session, order_id=request.order_id)
            refuse_foreign(shipment, saga, f"the shipment of {request.order_id}")
            if shipment is None or shipment.status == ShipmentStatus.CANCELLED:
                raise rules.ShipmentNotBooked(f"order {request.order_id} has no live booking")
            tracking = shipment.tracking_number or ""
            if repository.address_of(session=session, shipment=shipment) != address:
                tracking = rules.new_tracking_number()
                repository.rebook(
                    session=session, shipment=shipment, address=address, tracking_number=tracking
                )
            return ShipmentResult(
                shipment_id=shipment.shipment_id, carrier=shipment.carrier, tracking_number=tracking
            )

    @activity.defn(name="cancel_shipment")
    @reports_failures
    def cancel_shipment(self, request: CancelShipmentInput) -> CancelShipmentResult:
        """Cancel once; with no booking yet, leave a cancelled row so a late one is refused."""
        saga = current_saga(request)
        with transaction(self._engine) as session:
            shipment = repository.get_shipment(session=session, order_id=request.order_id)
            if skip_foreign(shipment, saga, f"the shipment of {request.order_id}"):
                return CancelShipmentResult(
                    order_id=request.order_id, cancelled=False, took_effect=False
                )
            booked = shipment is not None and shipment.tracking_number is not None
            cancelled = shipment is not None and shipment.status != ShipmentStatus.CANCELLED
            if shipment is None:
                repository.add_shipment(
                    session=session,
                    shipment_id=rules.new_shipment_id(),
                    order_id=request.order_id,
                    carrier=self._carrier,
                    status=ShipmentStatus.CANCELLED,
                    owner=saga,
                )
            elif cancelled:
                repository.set_status(
                    session=session, shipment=shipment, status=ShipmentStatus.CANCELLED
                )
        return CancelShipmentResult(
            order_id=request.order_id, cancelled=cancelled, took_effect=booked
        )


SHIPMENT_RETRY = step_retry(rules.ShipmentRejected)
CREATE_SHIPMENT = ActivityCall(
    ShipmentActivities.create_shipment,
    service="shipment",
    start_to_close_timeout=timedelta(seconds=30),
    schedule_to_close_timeout=STEP_DEADLINE,
    retry_policy=SHIPMENT_RETRY,
)
CANCEL_SHIPMENT = compensation_call(ShipmentActivities.cancel_shipment, "shipment")
REBOOK_SHIPMENT = ActivityCall(
    ShipmentActivities.rebook_shipment,
    service="shipment",
    start_to_close_timeout=timedelta(seconds=30),
    schedule_to_close_timeout=STEP_DEADLINE,
    retry_policy=step_retry(rules.ShipmentRejected, rules.ShipmentNotBooked),
)
