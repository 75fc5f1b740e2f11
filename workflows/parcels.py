"""An order whose lines come from more than one warehouse ships in a parcel from each: each
booked on its own and captured at its pickup for its own lines (Stripe's multicapture: the
rest of the authorization stays held for the others, the last capture releases what no
parcel takes). A parcel that cannot be booked gives back only its lines' stock (its part of
the hold is never taken) and the order ends PARTIALLY_SHIPPED, the customer told which; no
parcel booked fails the step like any other. An order from one warehouse never comes here;
the pickup and its captures: `parcel_pickup.py`."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RELEASE_INVENTORY
    from activities.inventory.contracts import ReleaseInventoryInput, ReservationResult
    from activities.notification.reasons import in_plain_words
    from activities.shipment.activities import CANCEL_SHIPMENT, CREATE_SHIPMENT
    from activities.shipment.contracts import CancelShipmentInput, CreateShipmentInput
    from workflows.order_account import StepFailed
    from workflows.order_amend import OrderAmendments
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import SagaState
    from workflows.order_steps import OrderSteps
    from workflows.parcel_state import Parcel, ParcelState, parcels_of


async def ship_parcels(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    owner: dict[str, str],
    amend: OrderAmendments,
    reservation: ReservationResult,
) -> list[Parcel]:
    """Book a parcel from each warehouse, in turn; the undo cancels them all."""
    parcels = progress.parcels = parcels_of(amend.held(reservation))
    every = CancelShipmentInput(**owner, warehouses=[p.warehouse for p in parcels])
    steps.undo_with("create_shipment", CANCEL_SHIPMENT, every, f"cancel {len(parcels)} parcels")
    failed: StepFailed | None = None
    for parcel in parcels:
        failed = await book(steps, progress, order, owner, amend, parcel) or failed
    if failed is not None and not booked(parcels):
        raise failed  # not one parcel: the order is undone as any failed step's
    progress.step_went_on("create_shipment")
    progress.step_done("create_shipment")
    return parcels


async def book(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    owner: dict[str, str],
    amend: OrderAmendments,
    parcel: Parcel,
) -> StepFailed | None:
    """Book one parcel, to the address as amended so far; one that cannot be booked gives
    back its lines' stock, and a late booking of it is refused."""
    address, warehouse = amend.shipping_address(order), parcel.warehouse
    progress.set_state(SagaState.RUNNING, f"booking the {warehouse} parcel to {address.country}")
    try:
        shipment = await steps.run(
            "create_shipment",
            CREATE_SHIPMENT,
            CreateShipmentInput(
                **owner,
                address=address,
                return_window_days=order.return_window_days,
                warehouse=warehouse,
            ),
            f"ship the {warehouse} parcel to {address.country}",
            deadline=order.step_deadline,
            last=False,
        )
    except StepFailed as failed:
        progress.step_went_on("create_shipment")  # an amendment waiting still waits
        parcel.state, parcel.reason = ParcelState.NOT_SHIPPED, in_plain_words(failed.error_type)
        amend.dropped(warehouse)
        if amend.reservation is not None:
            progress.learn(amend.reservation)  # the order's total, without its lines
        units = f"{parcel.units} unit{'s' if parcel.units != 1 else ''}"
        skus = [line.sku for line in parcel.lines]
        release = ReleaseInventoryInput(**owner, skus=skus, warehouses=[warehouse])
        await RELEASE_INVENTORY.execute(
            release, summary=f"release {units} of the {warehouse} parcel", local=steps.local
        )
        cancel = CancelShipmentInput(**owner, warehouses=[warehouse])
        await CANCEL_SHIPMENT.execute(
            cancel, summary=f"cancel the {warehouse} parcel", local=steps.local
        )
        return failed
    parcel.state, parcel.shipment_id = ParcelState.BOOKED, shipment.shipment_id
    parcel.carrier, parcel.tracking_number = shipment.carrier, shipment.tracking_number
    return None


def booked(parcels: list[Parcel]) -> list[Parcel]:
    """The parcels waiting for the carrier."""
    return [parcel for parcel in parcels if parcel.state == ParcelState.BOOKED]


def named(parcels: list[Parcel]) -> str:
    """The booked parcels, as the Web UI's details name them."""
    tracking = ", ".join(f"{p.carrier} {p.tracking_number}" for p in booked(parcels))
    return f"{len(booked(parcels))} parcels ({tracking})"
