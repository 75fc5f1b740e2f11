"""A new address for an order shipping in parcels: each booked parcel re-booked in turn; if
the carrier refuses one (it does not ship there from that warehouse), those already moved go
back to the old address and the amendment is refused, so the parcels never part ways."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.shipment.activities import REBOOK_SHIPMENT
    from activities.shipment.contracts import Address, RebookShipmentInput, ShipmentResult
    from workflows.parcel_state import Parcel, ParcelState


async def rebook_parcels(
    parcels: list[Parcel], owner: dict[str, str], address: Address, old: Address, local: bool
) -> ShipmentResult | None:
    """Move every booked parcel to `address`; the first one's booking as moved (None when
    none is booked). Raises what the carrier said when it refused one."""
    moved: list[Parcel] = []
    first: ShipmentResult | None = None
    try:
        for parcel in [p for p in parcels if p.state == ParcelState.BOOKED]:
            booking = await rebook(parcel, owner, address, local)
            moved.append(parcel)
            first = first or booking
    except Exception:
        for parcel in moved:  # back where they were booked to: the carrier served it
            await rebook(parcel, owner, old, local)
        raise
    return first


async def rebook(
    parcel: Parcel, owner: dict[str, str], address: Address, local: bool
) -> ShipmentResult:
    """One parcel's booking, moved; its tracking number as the carrier gave it."""
    booking = await REBOOK_SHIPMENT.execute(
        RebookShipmentInput(**owner, address=address, warehouse=parcel.warehouse),
        summary=f"re-book the {parcel.warehouse} parcel to {address.country}",
        local=local,
    )
    parcel.tracking_number = booking.tracking_number
    return booking
