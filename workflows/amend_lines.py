"""Fewer units of an order's lines before pickup: the reservation shrinks (the units back on
the shelf) and the payment follows, authorized for the new total if it was not yet, else
captured for it at pickup (Stripe's `amount_to_capture`; the rest of the hold is released).
Refused once the payment was captured: the units then come back as a return."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import SHRINK_RESERVATION
    from activities.inventory.contracts import (
        LineQuantity,
        ReservationResult,
        ShrinkReservationInput,
    )
    from workflows.money import Money
    from workflows.order_progress import OrderProgress
    from workflows.order_state import StepState
    from workflows.order_steps import OrderSteps


def refused(message: str) -> ApplicationError:
    """An amendment the order cannot take, as its caller is told."""
    return ApplicationError(message, type="NotAmendable")


def check_lines(
    progress: OrderProgress, reservation: ReservationResult | None, lines: Sequence[LineQuantity]
) -> None:
    """Refuse, naming why, lines the order cannot shrink to: a SKU it does not hold, more
    units than it holds, nothing left, or a payment already captured. Before the reservation
    is known only the shape is checked; the amendment checks again once it is."""
    order_id = progress.order_id
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        raise refused(f"order {order_id}: each sku may appear once")
    capture = progress.steps["capture_payment"].state
    if progress.payment == Money.CAPTURED or capture != StepState.PENDING:
        raise refused(
            f"order {order_id}: its payment was captured (or is being captured); return "
            "the units once delivered instead"
        )
    if reservation is None:
        return
    held = {line.sku: line.quantity for line in reservation.lines}
    for line in lines:
        if line.sku not in held:
            raise refused(f"order {order_id} has no line {line.sku}")
        if line.quantity >= held[line.sku]:
            raise refused(
                f"order {order_id}: {line.sku} can only go down from {held[line.sku]} units"
            )
    if not any(shrunk(reservation, lines).lines):
        raise refused(f"order {order_id}: an amendment leaves at least one unit (or cancel it)")


def shrunk(reservation: ReservationResult, lines: Sequence[LineQuantity]) -> ReservationResult:
    """The reservation as it stands with `lines`' new quantities (lines down to 0 gone)."""
    wanted = {line.sku: line.quantity for line in lines}
    kept = [
        line.model_copy(update={"quantity": wanted.get(line.sku, line.quantity)})
        for line in reservation.lines
        if wanted.get(line.sku, line.quantity) > 0
    ]
    total = sum((line.unit_price * line.quantity for line in kept), Decimal(0))
    return reservation.model_copy(update={"lines": kept, "total": total})


async def shrink(
    steps: OrderSteps,
    owner: dict[str, str],
    reservation: ReservationResult,
    lines: Sequence[LineQuantity],
) -> ReservationResult:
    """Give the units back to the shelf; the reservation as it now stands."""
    after = shrunk(reservation, lines)
    units = sum(line.quantity for line in reservation.lines) - sum(
        line.quantity for line in after.lines
    )
    await SHRINK_RESERVATION.execute(
        ShrinkReservationInput(**owner, lines=list(lines)),
        summary=f"release {units} unit{'s' if units != 1 else ''}, amended",
        local=steps.local,
    )
    return after


def told(lines: Sequence[LineQuantity]) -> str:
    """The amendment in the record of who did what."""
    return "amend: " + ", ".join(f"{line.sku} to {line.quantity}" for line in lines)
