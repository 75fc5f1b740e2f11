"""Inventory activities: reserve stock for an order, and release it (the reserve's undo)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from temporalio import activity

from activities.activity_call import ActivityCall, compensation_call
from activities.database import transaction
from activities.failures import OrderAlreadyCompensated, reports_failures
from activities.inventory import repository, rules, stock, warehouses
from activities.inventory.contracts import (
    ReleaseInventoryInput,
    ReleaseResult,
    ReservationResult,
    ReserveInventoryInput,
    RestockInput,
    RestockResult,
    ShrinkReservationInput,
    ShrinkResult,
)
from activities.inventory.tables import ReservationStatus
from activities.messages import HOME_WAREHOUSE
from activities.ownership import claim_order, current_saga, refuse_foreign, skip_foreign
from activities.retries import STEP_DEADLINE, step_retry


class InventoryActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="reserve_inventory")
    @reports_failures
    def reserve_inventory(self, request: ReserveInventoryInput) -> ReservationResult:
        """Check prices against the catalogue and take stock for every line, atomically,
        each line whole from one warehouse, from the fewest warehouses that hold them.

        A second call for the same order changes nothing; one after the release is refused.
        The first step claims the order: rows of another run refuse it before anything changes.
        """
        saga = current_saga(request)
        with transaction(self._engine) as session:
            existing = repository.reservations(session=session, order_id=request.order_id)
            claim_order(existing, saga, request.order_id)
            # Released whole (undone): refused. A parcel that could not ship released its own
            # lines alone, and a repeat after that (a replayed local call) is still a repeat.
            if existing and all(r.status == ReservationStatus.RELEASED for r in existing):
                raise OrderAlreadyCompensated(f"order {request.order_id} was already released")
            if existing:  # a repeat: the lines where they were reserved
                kept = {row.sku: row.warehouse for row in existing}
                return rules.priced(request.order_id, request.currency, request.items, kept)
            skus = [item.sku for item in request.items]
            catalogue = repository.products(session=session, skus=skus, for_update=True)
            rules.check_prices(request.items, catalogue, request.currency)
            held = {HOME_WAREHOUSE: {sku: entry.stock for sku, entry in catalogue.items()}}
            if any(held[HOME_WAREHOUSE][i.sku] < i.quantity for i in request.items):
                held |= stock.elsewhere(session=session, skus=skus)  # home alone is fewest
            where = warehouses.plan(request.items, held)
            if where is None:
                raise rules.out_of_stock(warehouses.short_lines(request.items, held)[0])
            for item in sorted(request.items, key=lambda i: i.sku):  # one lock order
                warehouse = where[item.sku]
                if not stock.take_stock(
                    session=session, sku=item.sku, quantity=item.quantity, warehouse=warehouse
                ):
                    raise rules.out_of_stock(item)
                repository.add_reservation(
                    session=session,
                    order_id=request.order_id,
                    sku=item.sku,
                    quantity=item.quantity,
                    status=ReservationStatus.RESERVED,
                    owner=saga,
                    unit_price=item.unit_price,
                    currency=request.currency,
                    warehouse=warehouse,
                )
        return rules.priced(request.order_id, request.currency, request.items, where)

    @activity.defn(name="release_inventory")
    @reports_failures
    def release_inventory(self, request: ReleaseInventoryInput) -> ReleaseResult:
        """Give reserved units back once (only the parcels' named: their lines could not
        ship); leave a tombstone so a late reserve cannot land."""
        released, saga, parcels = 0, current_saga(request), set(request.warehouses)
        with transaction(self._engine) as session:
            rows = repository.reservations(
                session=session, order_id=request.order_id, for_update=True
            )
            if any(skip_foreign(r, saga, f"stock of {request.order_id}") for r in rows):
                return ReleaseResult(order_id=request.order_id, released_units=0, took_effect=False)
            mine = [row for row in rows if not parcels or row.warehouse in parcels]
            reserved = any(row.quantity > 0 for row in mine)  # now or released earlier
            for row in mine:
                if row.status != ReservationStatus.RESERVED:
                    continue
                stock.return_stock(
                    session=session, sku=row.sku, quantity=row.quantity, warehouse=row.warehouse
                )
                repository.set_status(
                    session=session, reservation=row, status=ReservationStatus.RELEASED
                )
                released += row.quantity
            for sku in sorted(set(request.skus) - {row.sku for row in rows}):
                repository.add_reservation(
                    session=session,
                    order_id=request.order_id,
                    sku=sku,
                    quantity=0,
                    status=ReservationStatus.RELEASED,
                    owner=saga,
                )
        activity.logger.info("released %d units for order %s", released, request.order_id)
        return ReleaseResult(
            order_id=request.order_id, released_units=released, took_effect=reserved
        )

    @activity.defn(name="shrink_reservation")
    @reports_failures
    def shrink_reservation(self, request: ShrinkReservationInput) -> ShrinkResult:
        """Keep fewer units of the order's lines, the rest back on the shelf; a line never
        grows, so a repeat (an answer lost) gives nothing back twice."""
        released, saga = 0, current_saga(request)
        with transaction(self._engine) as session:
            rows = {
                row.sku: row
                for row in repository.reservations(
                    session=session, order_id=request.order_id, for_update=True
                )
            }
            for owned in rows.values():
                refuse_foreign(owned, saga, f"stock of {request.order_id}")
            for line in sorted(request.lines, key=lambda line: line.sku):  # one lock order
                row = rows.get(line.sku)
                if row is None or row.status != ReservationStatus.RESERVED:
                    raise OrderAlreadyCompensated(
                        f"order {request.order_id} holds no reserved {line.sku}"
                    )
                if line.quantity < row.quantity:
                    back = row.quantity - line.quantity
                    stock.return_stock(
                        session=session, sku=line.sku, quantity=back, warehouse=row.warehouse
                    )
                    repository.set_quantity(
                        session=session, reservation=row, quantity=line.quantity
                    )
                    released += back
        return ShrinkResult(order_id=request.order_id, released_units=released)

    @activity.defn(name="restock_return")
    @reports_failures
    def restock_return(self, request: RestockInput) -> RestockResult:
        """Put a return's usable units back on the shelf they shipped from, each SKU once per
        return."""
        restocked = 0
        with transaction(self._engine) as session:
            shipped = repository.reservations(session=session, order_id=request.order_id)
            where = {row.sku: row.warehouse for row in shipped}  # back where it shipped from
            for line in sorted(request.lines, key=lambda line: line.sku):  # one lock order
                if line.quantity and repository.restock(
                    session=session,
                    return_id=request.return_id,
                    sku=line.sku,
                    quantity=line.quantity,
                    warehouse=where.get(line.sku, HOME_WAREHOUSE),
                ):
                    restocked += line.quantity
        activity.logger.info("restocked %d units for return %s", restocked, request.return_id)
        return RestockResult(return_id=request.return_id, restocked_units=restocked)


RESERVE_RETRY = step_retry(rules.UnknownProduct, rules.OutOfStock, rules.PriceMismatch)
RESERVE_INVENTORY = ActivityCall(
    InventoryActivities.reserve_inventory,
    service="inventory",
    start_to_close_timeout=timedelta(seconds=30),
    schedule_to_close_timeout=STEP_DEADLINE,
    retry_policy=RESERVE_RETRY,
)
RELEASE_INVENTORY = compensation_call(InventoryActivities.release_inventory, "inventory")
# The parcel is back: its units go on the shelf whatever the outage, as an undo does.
SHRINK_RESERVATION = ActivityCall(
    InventoryActivities.shrink_reservation,
    service="inventory",
    start_to_close_timeout=timedelta(seconds=30),
    schedule_to_close_timeout=STEP_DEADLINE,
    retry_policy=step_retry(),
)
RESTOCK_RETURN = compensation_call(InventoryActivities.restock_return, "inventory")
