"""Amend an order before pickup: a new shipping address or fewer units, through the saga's
`amend` update, whose validator refuses (naming why) once the parcel is handed over or the
order is ending."""

from __future__ import annotations

from temporalio.client import Client

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address
from order_saga.client.errors import NotAmendable
from order_saga.client.resolving import person_update
from workflows.amend_state import AMEND_UPDATE, Amendment
from workflows.order_state import SagaStatus


async def amend_order(
    client: Client,
    order_id: str,
    address: Address | None,
    *,
    lines: list[LineQuantity] | None = None,
    by: str | None = None,
    customer: str | None = None,
) -> SagaStatus:
    """Ship the order to `address` instead, or keep fewer units of `lines` (or both), naming
    who asked; with `customer`, only their own order (`find_order`). Returns the status once
    the amendment is applied (the booking moved, the units back on the shelf)."""
    amendment = Amendment(shipping_address=address, lines=lines, by=by)
    return await person_update(
        client,
        order_id,
        AMEND_UPDATE,
        amendment,
        "can no longer be amended",
        customer=customer,
        refusal=NotAmendable,
    )
