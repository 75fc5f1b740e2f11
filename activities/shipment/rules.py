"""Shipment's business decisions: where the carrier ships, and what a booking looks like."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Set

from activities.failures import BusinessError


class ShipmentRejected(BusinessError):
    type = "ShipmentRejected"


class ShipmentNotBooked(BusinessError):
    """A re-booking found no live booking (cancelled, or none yet): nothing to move."""

    type = "ShipmentNotBooked"


def check_destination(country: str, *, carrier: str, unserved: Set[str]) -> None:
    """A destination the carrier does not serve is final: no retry changes the map."""
    if country in unserved:
        raise ShipmentRejected(f"{carrier} does not ship to {country}")


def new_shipment_id() -> str:
    """Our id of a booking."""
    return f"shp_{uuid.uuid4().hex}"


def new_tracking_number() -> str:
    """The carrier's tracking number of a new booking."""
    return f"1Z{secrets.token_hex(8).upper()}"
