"""The order saga's forward path, on one screen: reserve, assess the risk, authorize, ship,
hand over. Each
undo is registered before its step, so the saga can undo whatever ran; the payment's steps
are `authorization.py` (with the 3-D Secure wait), the carrier's pickup and the capture
`pickup.py`."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RELEASE_INVENTORY, RESERVE_INVENTORY
    from activities.inventory.contracts import (
        ReleaseInventoryInput,
        ReservationResult,
        ReserveInventoryInput,
    )
    from activities.shipment.activities import CANCEL_SHIPMENT, CREATE_SHIPMENT
    from activities.shipment.contracts import (
        CancelShipmentInput,
        CreateShipmentInput,
        ShipmentResult,
    )
    from workflows.authorization import authorize
    from workflows.order_amend import OrderAmendments
    from workflows.order_outbox import OrderOutbox
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_review import OrderReview
    from workflows.order_state import OrderResult, SagaState
    from workflows.order_steps import OrderSteps
    from workflows.parcel_pickup import hand_over_parcels, parcels_result
    from workflows.parcel_state import parcels_of
    from workflows.parcels import ship_parcels
    from workflows.pickup import hand_over


async def run_forward(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    events: OrderOutbox,
    review: OrderReview,
    amend: OrderAmendments,
) -> OrderResult:
    """The business process. Each undo is registered before its step runs: a step that
    timed out after taking effect is still undone, and every undo is idempotent."""
    owner = owner_of(order)
    amend.begin(order, owner)
    reservation = await reserve(steps, order, owner)
    amend.reserved(reservation)
    await events.emit(
        "order.started",
        customer_id=order.customer_id,
        total=str(reservation.total),
        currency=reservation.currency,
        lines=[line.model_dump(mode="json") for line in reservation.lines],
    )
    await review.assess(steps, order, reservation, owner)  # may wait for a person
    split = len(parcels_of(reservation)) > 1  # a parcel from each warehouse
    # For the total as amended so far; one amended later is captured for less.
    held = amend.held(reservation)
    charge = await authorize(steps, progress, order, held, owner, events, multicapture=split)
    await events.emit(
        "payment.authorized",
        amount=str(charge.amount),
        currency=charge.currency,
        payment_intent_id=charge.payment_intent_id,
        captured=not charge.authorized_only,
    )
    if split:
        parcels = await ship_parcels(steps, progress, order, owner, amend, reservation)
        await hand_over_parcels(steps, progress, order, charge, owner, amend, parcels)
        return parcels_result(progress, order, charge, parcels)
    shipment = await ship(steps, progress, order, owner, amend)
    await hand_over(steps, progress, order, charge, shipment, owner, amend)
    shipment = amend.shipment or shipment  # as an amendment moved it
    return OrderResult(
        order_id=order.order_id,
        status=SagaState.COMPLETED,
        total=amend.held(reservation).total,
        currency=reservation.currency,
        payment_id=charge.payment_id,
        payment_intent_id=charge.payment_intent_id,
        shipment_id=shipment.shipment_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        payment=progress.payment,  # captured at pickup (or at the end of its window)
        capture_by=progress.known().get("capture_by"),  # and by when, at the latest
        interventions=list(progress.interventions),  # who approved it, if it was held
    )


def owner_of(order: OrderRequest) -> dict[str, str]:
    """Every row a call writes records this run chain; a call never touches another's."""
    info = workflow.info()
    return {
        "order_id": order.order_id,
        "saga_id": info.workflow_id,
        "saga_run": info.first_execution_run_id,
    }


async def reserve(
    steps: OrderSteps, order: OrderRequest, owner: dict[str, str]
) -> ReservationResult:
    """Reserve the order's units at the catalogue's prices (a wrong price fails the step)."""
    count = sum(item.quantity for item in order.items)
    units = f"{count} unit{'s' if count != 1 else ''}"
    release = ReleaseInventoryInput(**owner, skus=[i.sku for i in order.items])
    steps.undo_with("reserve_inventory", RELEASE_INVENTORY, release, f"release {units}")
    return await steps.run(
        "reserve_inventory",
        RESERVE_INVENTORY,
        ReserveInventoryInput(**owner, currency=order.currency, items=order.items),
        f"reserve {units}",
        deadline=order.step_deadline,
    )


async def ship(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    owner: dict[str, str],
    amend: OrderAmendments,
) -> ShipmentResult:
    """Book the carrier, to the address as amended so far (an unserved country fails the
    step)."""
    cancel = CancelShipmentInput(**owner)
    steps.undo_with("create_shipment", CANCEL_SHIPMENT, cancel, "cancel shipment")
    address = amend.shipping_address(order)
    destination = address.country  # the country only: no address shows
    progress.set_state(SagaState.RUNNING, f"booking shipment to {destination}")
    return await steps.run(
        "create_shipment",
        CREATE_SHIPMENT,
        CreateShipmentInput(
            **owner,
            address=address,
            return_window_days=order.return_window_days,
        ),
        f"ship to {destination}",
        deadline=order.step_deadline,
    )
