"""Amend an order before pickup: a new shipping address or fewer units, through the saga's
`amend` update, whose validator refuses (naming why) once the parcel is handed over or the
order is ending."""

from __future__ import annotations

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address
from order_saga.client.errors import NotAmendable
from order_saga.client.orders import TRAIL, find_order
from workflows.amend_state import AMEND_UPDATE, Amendment
from workflows.order_request import order_id_from
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
    handle, _ = await find_order(client, order_id, customer=customer)
    TRAIL.info("amend of order %s asked by %s", order_id, by or "-")
    amendment = Amendment(shipping_address=address, lines=lines, by=by)
    try:
        status: SagaStatus = await handle.execute_update(
            AMEND_UPDATE, amendment, result_type=SagaStatus
        )
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError):
            raise NotAmendable(cause.message) from err
        raise
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:  # the saga has closed
            raise NotAmendable(
                f"order {order_id_from(handle.id)} can no longer be amended (it has ended)"
            ) from err
        raise
    return status
