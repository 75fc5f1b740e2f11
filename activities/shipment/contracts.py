"""What the shipment activities take and return, and the address they ship to."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator

from activities.messages import HOME_WAREHOUSE, NonEmpty, Strict, Text
from activities.ownership import OrderScoped

COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")


class Address(Strict):
    street: NonEmpty
    city: NonEmpty
    state: Annotated[Text, Field(max_length=100)] = ""
    zip_code: NonEmpty
    country: Annotated[str, Field(description="ISO 3166-1 alpha-2 code")]

    @field_validator("country", mode="before")
    @classmethod
    def _country_code(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if not COUNTRY_PATTERN.match(value):
                raise ValueError("must be a two-letter ISO 3166-1 country code, e.g. US")
        return value


class CreateShipmentInput(OrderScoped):
    address: Address
    return_window_days: int | None = None  # the order's own, kept on its shipment row
    warehouse: str = HOME_WAREHOUSE  # the parcel: an order has one per warehouse


class RebookShipmentInput(OrderScoped):
    """The order's booked parcel from `warehouse`, to go to `address` instead."""

    address: Address
    warehouse: str = HOME_WAREHOUSE


class ShipmentResult(Strict):
    shipment_id: str
    carrier: str
    tracking_number: str


class CancelShipmentInput(OrderScoped):
    """The order's parcels from `warehouses`, each cancelled or, not booked yet, refused a
    late booking; none named: every parcel the order has (from before parcels: its one)."""

    warehouses: list[str] = Field(default_factory=list)


class CancelShipmentResult(Strict):
    order_id: str
    cancelled: bool
    # False when the step had not taken effect (nothing reserved, charged or booked), so
    # there was nothing to give back; a saga shows such an undo as skipped, not as run.
    took_effect: bool = True
