"""Cancelling an order in parcels before pickup, with the real activities and database: the
whole order is undone (every parcel cancelled, each line's stock back in its warehouse, the
hold voided); captured parcel by parcel first (its capture window ended before pickup), the
cancel refunds all that was taken."""

from __future__ import annotations

from collections.abc import Callable

from order_saga.client import order_result, start_order
from tests.activities.shipment.test_shipping import rows
from tests.waits import captured_before_pickup, captured_then_waiting
from tests.workflows.test_amend import until_state
from tests.workflows.test_parcels import on_hand, parcel_worker, two_warehouse_order
from workflows.order_state import SagaState


async def test_a_cancel_before_pickup_undoes_every_parcel(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, cups, kettle = two_warehouse_order(make_product, handover_delay_seconds=3600)
    async with parcel_worker(env, engine, stripe_server, queue_prefix, placement):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        await handle.cancel(reason="the customer changed their mind")
        result = await order_result(handle)

    assert result.status == SagaState.CANCELLED
    assert {r.warehouse: r.status for r in rows(engine, request.order_id)} == {
        "main": "Cancelled",
        "east": "Cancelled",
    }
    assert (on_hand(engine, cups), on_hand(engine, kettle, "east")) == (5, 3)
    [intent] = stripe_server[0].ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)  # voided


async def test_a_cancel_after_each_parcel_was_captured_refunds_them_all(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, cups, kettle = two_warehouse_order(make_product)
    request = captured_then_waiting(request)
    async with parcel_worker(env, engine, stripe_server, queue_prefix, placement):
        handle = await start_order(env.client, request, queue_prefix)
        await captured_before_pickup(handle)
        await handle.cancel(reason="the customer changed their mind")
        result = await order_result(handle)

    assert result.status == SagaState.CANCELLED
    assert result.payment == "refunded"
    [intent] = stripe_server[0].ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 8948)
    refunds = stripe_server[0].ledger.refunds_of(intent["id"])
    assert sum(r["amount"] for r in refunds) == 8948
    assert (on_hand(engine, cups), on_hand(engine, kettle, "east")) == (5, 3)
