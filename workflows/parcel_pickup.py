"""An order's parcels at the carrier's pickup: each booked parcel's money taken as the carrier
takes it, for its lines as amended (a parcel at a time, the last capture final: it releases
what no parcel takes; all at once where the card cannot be captured in parts), and how the
order ended: COMPLETED, or PARTIALLY_SHIPPED when a parcel could not ship."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payment.contracts import ChargeResult
    from activities.shipment.activities import CANCEL_SHIPMENT
    from activities.shipment.contracts import CancelShipmentInput
    from workflows.money import amount_of
    from workflows.order_amend import OrderAmendments
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import OrderResult, SagaState
    from workflows.order_steps import OrderSteps
    from workflows.parcel_state import Parcel, ParcelState, as_amended, worth
    from workflows.parcels import booked, named
    from workflows.pickup import announce_pickup, capture, capture_when_due


async def hand_over_parcels(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    charge: ChargeResult,
    owner: dict[str, str],
    amend: OrderAmendments,
    parcels: list[Parcel],
) -> None:
    """Wait for the carrier, then take each parcel's money as it takes the parcel."""
    announce_pickup(progress, order, f"{named(parcels)} pick up")

    async def take() -> str:
        return await capture_parcels(steps, charge, owner, amend, parcels)

    await capture_when_due(progress, order, charge, amend, take, lambda: named(parcels))
    for parcel in booked(parcels):
        parcel.state = ParcelState.HANDED_OVER


async def capture_parcels(
    steps: OrderSteps,
    charge: ChargeResult,
    owner: dict[str, str],
    amend: OrderAmendments,
    parcels: list[Parcel],
) -> str:
    """Take each booked parcel's lines, as amended, a parcel at a time (the last capture
    final: it releases the rest of the hold); without multicapture, all at once. A parcel
    amended down to nothing is cancelled instead. Says what was taken."""
    if amend.reservation is not None:
        for parcel in booked(parcels):
            parcel.lines = as_amended(parcel, amend.reservation).lines
            parcel.amount = worth(parcel.lines)
    for parcel in booked(parcels):
        if not parcel.lines:
            cancel = CancelShipmentInput(**owner, warehouses=[parcel.warehouse])
            await CANCEL_SHIPMENT.execute(
                cancel, summary=f"cancel the {parcel.warehouse} parcel", local=steps.local
            )
            parcel.state = ParcelState.AMENDED_AWAY
    shipping = booked(parcels)
    total = worth([line for parcel in shipping for line in parcel.lines])
    key = workflow.info().workflow_id
    parts = [(p.amount, f"{key}/{p.warehouse}", f" for the {p.warehouse} parcel") for p in shipping]
    if not charge.multicapture or len(shipping) == 1:  # once, for all the parcels
        parts = [(total, key, f" for {len(shipping)} parcels" if len(shipping) > 1 else "")]
    for number, (amount, idempotency_key, what) in enumerate(parts, start=1):
        money = amount_of(amount, charge.currency)
        summary, final = f"capture {money}{what}", number == len(parts)
        await capture(steps, owner, charge, amount, idempotency_key, summary, final=final)
    return amount_of(total, charge.currency)


def parcels_result(
    progress: OrderProgress, order: OrderRequest, charge: ChargeResult, parcels: list[Parcel]
) -> OrderResult:
    """How an order in parcels ended: COMPLETED when every parcel with units left shipped,
    PARTIALLY_SHIPPED when one could not; the total is what its parcels took."""
    shipped = [p for p in parcels if p.state == ParcelState.HANDED_OVER]
    first = shipped[0]
    partly = any(p.state == ParcelState.NOT_SHIPPED for p in parcels)
    return OrderResult(
        order_id=order.order_id,
        status=SagaState.PARTIALLY_SHIPPED if partly else SagaState.COMPLETED,
        total=worth([line for parcel in shipped for line in parcel.lines]),
        currency=charge.currency,
        payment_id=charge.payment_id,
        payment_intent_id=charge.payment_intent_id,
        shipment_id=first.shipment_id,
        carrier=first.carrier,
        tracking_number=first.tracking_number,
        payment=progress.payment,
        capture_by=progress.known().get("capture_by"),
        interventions=list(progress.interventions),
        parcels=[parcel.model_copy(deep=True) for parcel in parcels],
    )
