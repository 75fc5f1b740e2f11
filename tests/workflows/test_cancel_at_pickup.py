"""Cancelling an order at the end of its saga: while the parcel waits for the carrier
everything is undone, newest first; after the handover the cancel is refused and nothing is
undone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from order_saga.client import OrderError, cancel_order, order_result
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, start_saga, stock, until, worker_settings
from tests.helpers import (
    payment_and_shipment as rows,
)
from tests.history import scheduled_activities
from tests.waits import cancelled
from workflows.order_state import SagaState, SagaStatus
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement


def settings(stripe_server: Any, queue_prefix: str, placement: Placement) -> Settings:
    return worker_settings(stripe_server[1], queue_prefix).model_copy(
        update={"placement": placement}
    )


async def test_cancel_while_waiting_for_pickup_undoes_everything_newest_first(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    stripe_state, _ = stripe_server
    sku = make_product(stock=3)
    request = order((sku, 2, "19.99")).model_copy(update={"handover_delay_seconds": 3600})

    async with build_worker(
        env.client, settings=settings(stripe_server, queue_prefix, placement), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)

        async def awaiting_pickup() -> bool:
            state: SagaStatus = await handle.query(OrderSaga.status)
            return state.status == SagaState.AWAITING_HANDOVER

        await until(awaiting_pickup)
        await handle.cancel(reason="address wrong")
        status = await cancelled(handle)
        result = await order_result(handle)

    # The original design's OrderCancelled path, undone newest first; the payment was only
    # authorized, so its undo is a void: no refund, no fee, nothing on the statement.
    assert status.compensations_run == ["cancel_shipment", "refund_payment", "release_inventory"]
    assert (await scheduled_activities(handle))[-3:] == status.compensations_run
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Voided"
    assert shipment is not None and shipment.status == "Cancelled"
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
    assert stripe_state.ledger.refunds_of(str(intent["id"])) == []
    assert stock(engine, sku) == 3
    # The result of a cancelled order tells what a storefront shows, as a compensated one does.
    assert (result.status, result.payment_intent_id, result.refund_id) == (
        SagaState.CANCELLED,
        intent["id"],
        None,
    )
    assert (result.total, result.shipment_id) == (Decimal("39.98"), shipment.shipment_id)


async def test_cancel_after_handover_is_refused_and_nothing_is_undone(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    sku = make_product(stock=3)
    request = order((sku, 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})

    async with build_worker(
        env.client, settings=settings(stripe_server, queue_prefix, placement), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)
        result = await order_result(handle)
        with pytest.raises(
            OrderError, match="handed to the carrier; it can no longer be cancelled"
        ):
            await cancel_order(env.client, request.order_id, "too late", wait=True)

    assert result.status == SagaState.COMPLETED
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Captured"
    assert shipment is not None and shipment.status == "Created"
    assert stock(engine, sku) == 2
