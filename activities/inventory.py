"""Inventory service: reserve stock for an order and give it back."""

from __future__ import annotations

from sqlalchemy import Engine
from temporalio import activity

from order_saga.contracts import (
    ReleaseInventoryInput,
    ReleaseResult,
    ReservationResult,
    ReserveInventoryInput,
)
from order_saga.db import inventory
from order_saga.db.engine import transaction
from order_saga.errors import as_business_failure


class InventoryActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="reserve_inventory")
    def reserve_inventory(self, request: ReserveInventoryInput) -> ReservationResult:
        """Check prices against the catalogue and take stock for every line, atomically."""
        with as_business_failure(), transaction(self._engine) as session:
            return inventory.reserve(
                session=session,
                order_id=request.order_id,
                currency=request.currency,
                items=request.items,
            )

    @activity.defn(name="release_inventory")
    def release_inventory(self, request: ReleaseInventoryInput) -> ReleaseResult:
        """Compensation of reserve_inventory; safe to run twice or before the reserve."""
        with transaction(self._engine) as session:
            units = inventory.release(session=session, order_id=request.order_id, skus=request.skus)
        activity.logger.info("released %d units for order %s", units, request.order_id)
        return ReleaseResult(order_id=request.order_id, released_units=units)
