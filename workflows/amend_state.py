"""What a client asks when it amends an order before pickup (the `amend` update)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from activities.shipment.contracts import Address

AMEND_UPDATE = "amend"


class Amendment(BaseModel):
    """A new shipping address; `by` is named by the front end that checked the caller."""

    shipping_address: Address
    by: Annotated[str | None, Field(max_length=200)] = None
