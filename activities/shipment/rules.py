"""Shipment's business decisions: where the carrier ships, and what a booking looks like."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Set

from activities.failures import BusinessError
from activities.messages import HOME_WAREHOUSE


class ShipmentRejected(BusinessError):
    type = "ShipmentRejected"


class ShipmentNotBooked(BusinessError):
    """A re-booking found no live booking (cancelled, or none yet): nothing to move."""

    type = "ShipmentNotBooked"


def check_destination(
    country: str,
    *,
    carrier: str,
    unserved: Set[str],
    warehouse: str = HOME_WAREHOUSE,
    unserved_from: Mapping[str, Set[str]] | None = None,
) -> None:
    """A destination the carrier does not serve (at all, or from this warehouse) is final:
    no retry changes the map."""
    if country in unserved:
        raise ShipmentRejected(f"{carrier} does not ship to {country}")
    if country in (unserved_from or {}).get(warehouse, ()):
        raise ShipmentRejected(f"{carrier} does not ship to {country} from {warehouse}")


def new_shipment_id() -> str:
    """Our id of a booking."""
    return f"shp_{uuid.uuid4().hex}"


def new_tracking_number() -> str:
    """The carrier's tracking number of a new booking."""
    return f"1Z{secrets.token_hex(8).upper()}"
