"""After the shipment is booked: wait for the carrier, and take the authorized money as it
takes the parcel (or at the end of the capture window, while the authorization surely
holds). The confirm only authorizes, so the saga captures; no patch was needed for that:
what the charge returned, kept in the history, decides whether a capture follows, so runs
that charged at once replay and end as they began."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payment.activities import CAPTURE_PAYMENT
    from activities.payment.contracts import CapturePaymentInput, ChargeResult
    from activities.shipment.contracts import ShipmentResult
    from workflows.money import amount_of
    from workflows.order_amend import OrderAmendments
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import SagaState
    from workflows.order_steps import OrderSteps

# Captured this long before the card network's deadline: the capture has time for retries.
CAPTURE_MARGIN = timedelta(hours=1)


async def hand_over(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    charge: ChargeResult,
    shipment: ShipmentResult,
    owner: dict[str, str],
    amend: OrderAmendments,
) -> None:
    """Say when the carrier comes (a cancel or an amendment is possible until then), then
    wait for it and capture; a charge from before authorize-then-capture took the money
    already."""
    pickup = announce_pickup(
        progress, order, f"{shipment.carrier} {shipment.tracking_number} picks up"
    )
    if charge.authorized_only:
        await capture_at_pickup(steps, progress, order, charge, shipment, owner, amend)
        return
    if pickup:
        await workflow.sleep(pickup, summary="wait for carrier pickup")
    await amend.handed_to_carrier()


def capture_window(
    progress: OrderProgress, order: OrderRequest, charge: ChargeResult
) -> tuple[timedelta, str]:
    """How long the saga may wait before it captures: the order's capture window, or less if
    the card network's deadline (Stripe's `capture_before`, less a margin) comes first. That
    deadline is counted as a hold from the charge, on the saga's own clock: a worker's (or a
    test server's) clock apart from Stripe's moves it by nothing. The status says when, and
    which deadline applied."""
    window = timedelta(seconds=order.capture_window_seconds)
    which = "the order's capture window"
    if charge.hold_seconds is not None:  # counted from the charge, on the saga's clock
        charged = progress.done_at.get("charge_payment", workflow.now())
        held_until = charged + timedelta(seconds=charge.hold_seconds)
        bank = held_until - CAPTURE_MARGIN - workflow.now()
        if bank < window:
            window, which = max(bank, timedelta(0)), "the card's capture_before, less an hour"
    progress.note("capture_by", f"{pickup_at(window)} ({which})")
    return window, which


def announce_pickup(progress: OrderProgress, order: OrderRequest, who: str) -> timedelta:
    """Say when the carrier comes (`who`: "<carrier> <tracking> picks up", or the parcels'
    "pick up"): a cancel or an amendment is possible until then. Returns the wait."""
    pickup = timedelta(seconds=order.handover_delay_seconds)
    if pickup:
        progress.set_state(
            SagaState.AWAITING_HANDOVER,
            f"{who} at {pickup_at(pickup)}; cancel or amend still possible until then",
        )
    return pickup


def pickup_at(wait: timedelta) -> str:
    """When the carrier comes, as an absolute time a person can read later."""
    return (workflow.now() + wait).strftime("%Y-%m-%d %H:%M:%S UTC")


async def capture_at_pickup(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    charge: ChargeResult,
    shipment: ShipmentResult,
    owner: dict[str, str],
    amend: OrderAmendments,
) -> None:
    """Wait for the carrier, then take the authorized money (less, for fewer units)."""

    async def take() -> str:
        amount = amend.to_capture(charge.amount)  # less, for fewer units
        money = amount_of(amount, charge.currency)
        await capture(steps, owner, charge, amount, workflow.info().workflow_id, f"capture {money}")
        return money

    def parcel() -> str:
        booked = amend.shipment or shipment
        return f"{booked.carrier} {booked.tracking_number}"

    await capture_when_due(progress, order, charge, amend, take, parcel)


async def capture(
    steps: OrderSteps,
    owner: dict[str, str],
    charge: ChargeResult,
    amount: Decimal,
    key: str,
    summary: str,
    *,
    final: bool = True,
) -> None:
    """Take `amount` of the authorization under idempotency key `key`; not `final`: a
    parcel's part, the rest held for the others (the step goes on)."""
    await steps.run(
        "capture_payment",
        CAPTURE_PAYMENT,
        CapturePaymentInput(
            **owner,
            payment_intent_id=charge.payment_intent_id,
            amount=amount,
            currency=charge.currency,
            idempotency_key=key,
            final=final,
        ),
        summary,
        last=final,
    )


async def capture_when_due(
    progress: OrderProgress,
    order: OrderRequest,
    charge: ChargeResult,
    amend: OrderAmendments,
    take: Callable[[], Awaitable[str]],
    parcels: Callable[[], str],
) -> None:
    """Wait for the carrier, then `take` the money (it says how much). A pickup later than
    the capture window captures at the window's end, while the authorization surely holds; a
    cancel after that refunds. A capture that fails for good fails the step: the order is
    undone. `parcels` names what the carrier picks up, as booked by then."""
    pickup = timedelta(seconds=order.handover_delay_seconds)
    window, which = capture_window(progress, order, charge)
    first = min(pickup, window)
    if first:
        summary = "wait for carrier pickup" if first == pickup else "capture window"
        await workflow.sleep(first, summary=summary)
    if first == pickup:
        await amend.handed_to_carrier()  # an amendment in flight ends before the capture
    else:
        await amend.settled()  # an amendment of the lines changes what is captured
    money = await take()
    if pickup > first:
        progress.set_state(
            SagaState.AWAITING_HANDOVER,
            f"captured {money} before the authorization could expire ({which}); {parcels()} "
            f"picks up at {pickup_at(pickup - first)}; a cancel until then refunds",
        )
        await workflow.sleep(pickup - first, summary="wait for carrier pickup")
        await amend.handed_to_carrier()
