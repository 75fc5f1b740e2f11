"""Amendments before pickup: a new shipping address through the `amend` update, one at a
time (a lock), re-booked with the carrier once the shipment is booked (the undo, cancel the
shipment, cancels the booking as moved). Refused once the parcel is handed over, or while the
order ends; the saga's end and the pickup wait for an amendment in flight."""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.shipment.activities import REBOOK_SHIPMENT
    from activities.shipment.contracts import Address, RebookShipmentInput, ShipmentResult
    from workflows.amend_state import Amendment
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import SagaState, StepState
    from workflows.order_steps import OrderSteps

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
        self.handed_over = False
        self.address: Address | None = None  # amended; None: the order's own
        self.shipment: ShipmentResult | None = None  # the booking as last moved

    def begin(self, order: OrderRequest, owner: dict[str, str]) -> None:
        """The order and the run chain its re-booking acts for."""
        self._order, self._owner = order, owner

    def shipping_address(self, order: OrderRequest) -> Address:
        """Where the order ships to now."""
        return self.address or order.shipping_address

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
        if order is None or self.handed_over or progress.state not in AMENDABLE:
            now = "handed to the carrier" if self.handed_over else progress.state
            raise refused(f"order {progress.order_id} can no longer be amended (it is {now})")
        if workflow.cancellation_reason() is not None:
            raise refused(f"order {progress.order_id} is being cancelled")
        if amendment.shipping_address == self.shipping_address(order):
            raise refused(f"order {progress.order_id} already ships to that address")

    async def apply(self, amendment: Amendment) -> None:
        """One amendment at a time: before the shipment is booked the booking takes the new
        address; once booked, the carrier re-books it (an unserved country is refused and
        the booking stays as it was)."""
        self.busy += 1
        try:
            async with self._lock:
                self.check(amendment)  # a pickup, a cancel or another amendment came first
                booking = self._progress.steps["create_shipment"]
                await workflow.wait_condition(lambda: booking.state != StepState.RUNNING)
                if booking.state == StepState.DONE:
                    await self._rebook(amendment.shipping_address)
                elif booking.state != StepState.PENDING:
                    raise refused(f"order {self._progress.order_id} has no booking to move")
                self.address = amendment.shipping_address
                country = amendment.shipping_address.country
                self._progress.intervened(f"amend: ship to {country}", amendment.by)
        finally:
            self.busy -= 1

    async def _rebook(self, address: Address) -> None:
        arg = RebookShipmentInput(**self._owner, address=address)
        try:
            self.shipment = await REBOOK_SHIPMENT.execute(
                arg, summary=f"re-book shipment to {address.country}", local=self._steps.local
            )
        except FailureError as err:  # the carrier refused: the booking stays as it was
            cause = err.cause if isinstance(err, ActivityError) else err
            kind = cause.type if isinstance(cause, ApplicationError) else "RebookFailed"
            raise ApplicationError(str(cause or err), type=kind) from None
        self._progress.learn(self.shipment)
        if self._progress.state == SagaState.AWAITING_HANDOVER:
            shipment = self.shipment
            self._progress.set_state(
                SagaState.AWAITING_HANDOVER,
                f"{shipment.carrier} {shipment.tracking_number} re-booked to {address.country}; "
                "cancel or amend still possible until pickup",
            )


def refused(message: str) -> ApplicationError:
    """An amendment the order cannot take, as its caller is told."""
    return ApplicationError(message, type="NotAmendable")
