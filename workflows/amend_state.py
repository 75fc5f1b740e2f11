"""What a client asks when it amends an order before pickup (the `amend` update)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address

AMEND_UPDATE = "amend"


class Amendment(BaseModel):
    """A new shipping address, fewer units of some lines, or both; `by` is named by the
    front end that checked the caller."""

    shipping_address: Address | None = None
    lines: Annotated[list[LineQuantity], Field(min_length=1, max_length=100)] | None = None
    by: Annotated[str | None, Field(max_length=200)] = None

    @model_validator(mode="after")
    def _something(self) -> Amendment:
        if self.shipping_address is None and self.lines is None:
            raise ValueError("say what changes: shipping_address, lines, or both")
        return self
