"""Amending an order in parcels before pickup, with the real activities and database: a new
address moves every parcel (one the carrier refuses puts the moved ones back, and the
amendment is refused), and a line amended away empties its parcel, which is cancelled at
pickup while the other is captured for what it ships."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address
from order_saga.client import NotAmendable, amend_order, order_result, start_order
from tests.activities.shipment.test_shipping import rows
from tests.workflows.test_amend import past_pickup, until_state
from tests.workflows.test_parcels import on_hand, parcel_worker, two_warehouse_order
from workflows.order_state import SagaState
from workflows.parcel_state import ParcelState

TORONTO = Address(street="1 King St", city="Toronto", zip_code="M5H 1A1", country="CA")
BOSTON = Address(street="2 Elm St", city="Boston", zip_code="02108", country="US")


EAST_NOT_TO_CANADA = {"east": frozenset({"CA"})}


async def test_a_new_address_moves_every_parcel_or_none(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, _, _ = two_warehouse_order(make_product, handover_delay_seconds=3600)
    async with parcel_worker(
        env, engine, stripe_server, queue_prefix, placement, unserved_from=EAST_NOT_TO_CANADA
    ):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        booked = {row.warehouse: row.tracking_number for row in rows(engine, request.order_id)}
        with pytest.raises(NotAmendable, match="does not ship to CA from east"):
            await amend_order(env.client, request.order_id, TORONTO)
        kept = rows(engine, request.order_id)
        assert {r.warehouse: (r.address or {})["country"] for r in kept} == {
            "main": "US",
            "east": "US",
        }  # the home parcel, moved first, went back
        await amend_order(env.client, request.order_id, BOSTON)
        await past_pickup(env)
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    moved = rows(engine, request.order_id)
    assert {(r.address or {})["city"] for r in moved} == {"Boston"}
    assert all(r.tracking_number != booked[r.warehouse] for r in moved)
    assert {p.warehouse: p.tracking_number for p in result.parcels} == {
        r.warehouse: r.tracking_number for r in moved
    }


async def test_a_parcel_amended_down_to_nothing_is_cancelled_and_never_captured(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, _, kettle = two_warehouse_order(make_product, handover_delay_seconds=3600)
    async with parcel_worker(
        env, engine, stripe_server, queue_prefix, placement, unserved_from=EAST_NOT_TO_CANADA
    ):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        none = [LineQuantity(sku=kettle, quantity=0)]
        await amend_order(env.client, request.order_id, None, lines=none)
        await past_pickup(env)
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    assert [(p.warehouse, p.state) for p in result.parcels] == [
        ("main", ParcelState.HANDED_OVER),
        ("east", ParcelState.AMENDED_AWAY),
    ]
    assert {r.warehouse: r.status for r in rows(engine, request.order_id)} == {
        "main": "Created",
        "east": "Cancelled",
    }
    assert on_hand(engine, kettle, "east") == 3  # the unit amended away is back
    [intent] = stripe_server[0].ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 3998)
