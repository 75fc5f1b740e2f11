"""Shipment activities: book the carrier, move the booking to an amended address, and cancel
it (the undo)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import timedelta

from sqlalchemy import Engine
from temporalio import activity

from activities.activity_call import ActivityCall, compensation_call
from activities.database import transaction
from activities.failures import OrderAlreadyCompensated, reports_failures
from activities.messages import HOME_WAREHOUSE
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
    def __init__(
        self,
        engine: Engine,
        *,
        carrier: str,
        unserved_countries: Set[str],
        unserved_from: Mapping[str, Set[str]] | None = None,
    ) -> None:
        self._engine = engine
        self._carrier = carrier
        self._unserved = unserved_countries
        self._unserved_from = unserved_from or {}

    def _check(self, country: str, warehouse: str) -> None:
        """The carrier takes parcels to `country` from `warehouse`, or ShipmentRejected."""
        rules.check_destination(
            country,
            carrier=self._carrier,
            unserved=self._unserved,
            warehouse=warehouse,
            unserved_from=self._unserved_from,
        )

    @activity.defn(name="create_shipment")
    @reports_failures
    def create_shipment(self, request: CreateShipmentInput) -> ShipmentResult:
        """Book the order's parcel from the warehouse once; a repeated call returns the
        booking already made."""
        self._check(request.address.country, request.warehouse)
        saga = current_saga(request)
        with transaction(self._engine) as session:
            shipment = repository.get_shipment(
                session=session, order_id=request.order_id, warehouse=request.warehouse
            )
            refuse_foreign(shipment, saga, f"the shipment of {request.order_id}")
            if shipment is not None and shipment.status == ShipmentStatus.CANCELLED:
                raise OrderAlreadyCompensated(
                    f"shipment for order {request.order_id} from {request.warehouse} was cancelled"
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
                warehouse=request.warehouse,
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
        self._check(request.address.country, request.warehouse)
        saga = current_saga(request)
        address = request.address.model_dump()
        with transaction(self._engine) as session:
            shipment = repository.get_shipment(
                session=session, order_id=request.order_id, warehouse=request.warehouse
            )
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
        """Cancel once: the parcels named, or every parcel of the order. A parcel not
        booked yet gets a cancelled row, so a late booking is refused."""
        saga = current_saga(request)
        named = set(request.warehouses)
        with transaction(self._engine) as session:
            rows = repository.parcels(session=session, order_id=request.order_id)
            if named:
                rows = [r for r in rows if r.warehouse in named]
            if any(skip_foreign(r, saga, f"the shipment of {request.order_id}") for r in rows):
                return CancelShipmentResult(
                    order_id=request.order_id, cancelled=False, took_effect=False
                )
            booked = any(row.tracking_number is not None for row in rows)
            live = [row for row in rows if row.status != ShipmentStatus.CANCELLED]
            for row in live:
                repository.set_status(
                    session=session, shipment=row, status=ShipmentStatus.CANCELLED
                )
            unbooked = (named or {HOME_WAREHOUSE}) - {row.warehouse for row in rows}
            for warehouse in sorted(unbooked if named or not rows else ()):
                repository.add_shipment(
                    session=session,
                    shipment_id=rules.new_shipment_id(),
                    order_id=request.order_id,
                    carrier=self._carrier,
                    status=ShipmentStatus.CANCELLED,
                    owner=saga,
                    warehouse=warehouse,
                )
        return CancelShipmentResult(
            order_id=request.order_id, cancelled=bool(live), took_effect=booked
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
