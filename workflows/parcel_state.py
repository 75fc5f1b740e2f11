"""An order's parcels, one per warehouse its lines come from, as the status, the result, the
Web UI and the customer see them: what each holds, its booking, and what became of it."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from activities.inventory.contracts import PricedLine, ReservationResult
from activities.messages import HOME_WAREHOUSE


class ParcelState(StrEnum):
    BOOKING = "booking"
    BOOKED = "booked"  # waiting for the carrier
    HANDED_OVER = "handed over"  # the carrier took it and its money was taken
    NOT_SHIPPED = "not shipped"  # could not be booked: its stock released, no money taken
    AMENDED_AWAY = "amended away"  # every unit of it amended away before pickup: cancelled


class Parcel(BaseModel):
    """One warehouse's part of the order."""

    warehouse: str
    lines: list[PricedLine]  # as amended so far
    amount: Decimal  # what its lines are worth: taken at its pickup
    state: ParcelState = ParcelState.BOOKING
    shipment_id: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    reason: str | None = None  # why it did not ship, in plain words

    @property
    def units(self) -> int:
        """How many units it holds."""
        return sum(line.quantity for line in self.lines)


def parcels_of(reservation: ReservationResult) -> list[Parcel]:
    """The reservation's lines by warehouse: the home warehouse's parcel first, then by name."""
    by_warehouse: dict[str, list[PricedLine]] = {}
    for line in reservation.lines:
        by_warehouse.setdefault(line.warehouse, []).append(line)
    return [
        Parcel(warehouse=warehouse, lines=lines, amount=worth(lines))
        for warehouse, lines in sorted(
            by_warehouse.items(), key=lambda item: (item[0] != HOME_WAREHOUSE, item[0])
        )
    ]


def worth(lines: list[PricedLine]) -> Decimal:
    """What the lines cost together."""
    return sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))


def as_amended(parcel: Parcel, reservation: ReservationResult) -> Parcel:
    """The parcel with its lines as the reservation now stands (fewer units, amended)."""
    [now] = [p for p in parcels_of(reservation) if p.warehouse == parcel.warehouse] or [
        parcel.model_copy(update={"lines": [], "amount": Decimal("0.00")})
    ]
    return parcel.model_copy(update={"lines": now.lines, "amount": now.amount})


def parcels_told(parcels: list[Parcel]) -> str:
    """What became of each parcel, for the Web UI's details and the operator."""
    told = []
    for parcel in parcels:
        units = f"{parcel.units} unit{'s' if parcel.units != 1 else ''}"
        if parcel.state == ParcelState.HANDED_OVER:
            told.append(
                f"the {parcel.warehouse} parcel handed to the carrier: {parcel.tracking_number}"
            )
        elif parcel.state == ParcelState.NOT_SHIPPED:
            told.append(
                f"the {parcel.warehouse} parcel could not ship ({parcel.reason}): its {units} "
                "released, nothing taken for it"
            )
        else:
            told.append(f"the {parcel.warehouse} parcel {parcel.state}")
    return "; ".join(told)
