"""Amendments before pickup through the `amend` update, one at a time (a lock): a new
shipping address, re-booked with the carrier once the shipment is booked (the undo, cancel
the shipment, cancels the booking as moved), and fewer units of a line (`amend_lines.py`).
Refused once the parcel is handed over, or while the order ends; the saga's end and the
pickup wait for an amendment in flight."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.inventory.contracts import OrderItem, ReservationResult
    from activities.shipment.activities import REBOOK_SHIPMENT
    from activities.shipment.contracts import Address, RebookShipmentInput, ShipmentResult
    from workflows.amend_lines import check_lines, refused, shrink, shrunk, told
    from workflows.amend_state import Amendment
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import SagaState, StepState
    from workflows.order_steps import OrderSteps
    from workflows.parcel_amend import rebook_parcels

# Before pickup, whatever the saga waits for meanwhile (a person, the bank, the carrier).
AMENDABLE = frozenset(
    {
        SagaState.RUNNING,
        SagaState.AWAITING_REVIEW,
        SagaState.AWAITING_AUTHENTICATION,
        SagaState.AWAITING_HANDOVER,
    }
)


class OrderAmendments:
    """The saga's side of amendments: the order's current address and booking."""

    def __init__(self, progress: OrderProgress, steps: OrderSteps) -> None:
        self._progress, self._steps = progress, steps
        self._lock = asyncio.Lock()
        self._order: OrderRequest | None = None
        self._owner: dict[str, str] = {}
        self.busy = 0  # amendments accepted and not yet applied (or refused)
        self.shrunk = False  # some line has fewer units than the order asked for
        self.handed_over = False
        self.address: Address | None = None  # amended; None: the order's own
        self.shipment: ShipmentResult | None = None  # the booking as last moved
        self.reservation: ReservationResult | None = None  # as reserved, then as amended

    def begin(self, order: OrderRequest, owner: dict[str, str]) -> None:
        """The order and the run chain its re-booking acts for."""
        self._order, self._owner = order, owner

    def reserved(self, reservation: ReservationResult) -> None:
        """The stock held: what a line amendment shrinks."""
        self.reservation = reservation

    def dropped(self, warehouse: str) -> None:
        """A parcel could not ship: its lines are no longer the order's to amend or pay."""
        if self.reservation is not None:
            kept = [line for line in self.reservation.lines if line.warehouse != warehouse]
            self.reservation = shrunk(self.reservation.model_copy(update={"lines": kept}), [])

    def held(self, reserved: ReservationResult) -> ReservationResult:
        """The reservation as it stands (as amended)."""
        return self.reservation or reserved

    def to_capture(self, authorized: Decimal) -> Decimal:
        """What the capture takes: the amended total once a line was shrunk, else what was
        authorized."""
        return self.reservation.total if self.shrunk and self.reservation else authorized

    def shipping_address(self, order: OrderRequest) -> Address:
        """Where the order ships to now."""
        return self.address or order.shipping_address

    def as_amended(self, order: OrderRequest) -> OrderRequest:
        """The order as amended so far (its mails list the lines it ships)."""
        changes: dict[str, object] = {"shipping_address": self.shipping_address(order)}
        if self.shrunk and self.reservation is not None:
            changes["items"] = [
                OrderItem(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
                for line in self.reservation.lines
            ]
        return order.model_copy(update=changes)

    async def handed_to_carrier(self) -> None:
        """The carrier took the parcel: no amendment from now on; one in flight ends first."""
        self.handed_over = True
        await self.settled()

    async def settled(self) -> None:
        """Until no amendment is in flight (before the order's end undoes anything)."""
        await workflow.wait_condition(lambda: self.busy == 0)

    def check(self, amendment: Amendment) -> None:
        """Refuse, naming why, an amendment the order can no longer take (the validator;
        checked again once the amendment holds the lock)."""
        progress, order = self._progress, self._order
        self._still_open()
        assert order is not None
        if amendment.shipping_address == self.shipping_address(order):
            raise refused(f"order {progress.order_id} already ships to that address")
        if amendment.lines is not None:
            check_lines(progress, self.reservation, amendment.lines)

    def _still_open(self) -> None:
        progress = self._progress
        if self._order is None or self.handed_over or progress.state not in AMENDABLE:
            now = "handed to the carrier" if self.handed_over else progress.state
            raise refused(f"order {progress.order_id} can no longer be amended (it is {now})")
        if workflow.cancellation_reason() is not None:
            raise refused(f"order {progress.order_id} is being cancelled")

    async def apply(self, amendment: Amendment) -> None:
        """One amendment at a time: before the shipment is booked the booking takes the new
        address; once booked, the carrier re-books it (an unserved country is refused and
        the booking stays as it was)."""
        self.busy += 1
        try:
            async with self._lock:
                self.check(amendment)  # a pickup, a cancel or another amendment came first
                if amendment.shipping_address is not None:
                    await self._move(amendment.shipping_address, amendment.by)
                if amendment.lines is not None:
                    await self._shrink(amendment)
        finally:
            self.busy -= 1

    async def _move(self, address: Address, by: str | None) -> None:
        booking = self._progress.steps["create_shipment"]
        await workflow.wait_condition(lambda: booking.state != StepState.RUNNING)
        self._still_open()  # a cancel may have come while the booking was made
        if booking.state == StepState.DONE:
            await self._rebook(address)
        elif booking.state != StepState.PENDING:
            raise refused(f"order {self._progress.order_id} has no booking to move")
        self.address = address
        self._progress.intervened(f"amend: ship to {address.country}", by)

    async def _shrink(self, amendment: Amendment) -> None:
        assert amendment.lines is not None
        reserve = self._progress.steps["reserve_inventory"]
        await workflow.wait_condition(
            lambda: reserve.state not in (StepState.PENDING, StepState.RUNNING)
        )
        self._still_open()  # the reservation is known now: its lines are checked too
        check_lines(self._progress, self.reservation, amendment.lines)
        if self.reservation is None:
            raise refused(f"order {self._progress.order_id} holds no stock to amend")
        self.reservation = await shrink(self._steps, self._owner, self.reservation, amendment.lines)
        self.shrunk = True
        self._progress.learn(self.reservation)  # the total as amended
        self._progress.intervened(told(amendment.lines), amendment.by)

    async def _rebook(self, address: Address) -> None:
        arg = RebookShipmentInput(**self._owner, address=address)
        assert self._order is not None  # checked open before the amendment took the lock
        parcels, old = self._progress.parcels, self.shipping_address(self._order)
        try:
            if parcels:  # every parcel, or none
                local = self._steps.local
                self.shipment = await rebook_parcels(parcels, self._owner, address, old, local)
            else:
                self.shipment = await REBOOK_SHIPMENT.execute(
                    arg, summary=f"re-book shipment to {address.country}", local=self._steps.local
                )
        except FailureError as err:  # the carrier refused: the booking stays as it was
            cause = err.cause if isinstance(err, ActivityError) else err
            kind = cause.type if isinstance(cause, ApplicationError) else "RebookFailed"
            raise ApplicationError(str(cause or err), type=kind) from None
        self._progress.learn(self.shipment)
        shipment = self.shipment
        if self._progress.state == SagaState.AWAITING_HANDOVER and shipment is not None:
            moved = "the parcels" if parcels else f"{shipment.carrier} {shipment.tracking_number}"
            self._progress.set_state(
                SagaState.AWAITING_HANDOVER,
                f"{moved} re-booked to {address.country}; cancel or amend still possible until "
                "pickup",
            )
