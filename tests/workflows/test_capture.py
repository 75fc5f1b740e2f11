"""Authorize at checkout, capture at the carrier's pickup: what the bank holds, takes and gives
back at each point of the saga, read from the payments row and the local Stripe server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.client import WorkflowFailureError

from order_saga.client import mark_resolved, order_result, query_status
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.worker_group import build_worker
from tests.conftest import serve_in_thread
from tests.helpers import order, start_saga, stock, until, worker_settings
from tests.helpers import payment_and_shipment as rows
from tests.history import activity_attempts, scheduled_activities
from tests.waits import captured_before_pickup, captured_then_waiting, waiting_for_person
from workflows.order_state import SagaState


async def test_the_money_is_held_until_pickup_then_captured_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=3)
    request = order((sku, 2, "19.99")).model_copy(update={"handover_delay_seconds": 3600})

    async with build_worker(
        env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)

        async def awaiting_pickup() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

        await until(awaiting_pickup)
        held_row, _ = rows(engine, request.order_id)
        [held] = stripe_state.ledger.intents_of_order(request.order_id)
        held = dict(held)  # as it was during the wait
        result = await order_result(handle)  # the time-skipping server skips the wait

    assert held_row is not None and held_row.status == "Authorized"
    assert (held["status"], held["amount_capturable"], held["amount_received"]) == (
        "requires_capture",
        3998,
        0,
    )
    assert result.status == SagaState.COMPLETED
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Captured"
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 3998)
    assert stripe_state.requests_with_key(f"{request.workflow_id}/capture") == 1
    # The capture is the last call, after the wait for pickup: nothing is taken before.
    assert (await scheduled_activities(handle))[-2:] == ["create_shipment", "capture_payment"]
    assert shipment is not None and shipment.status == "Created" and stock(engine, sku) == 1


async def test_a_failed_shipment_voids_the_authorization_instead_of_refunding(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=3)
    request = order((sku, 1, "19.99"), country="AQ")  # no carrier serves it

    async with build_worker(
        env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
    ):
        result = await order_result(await start_saga(env, request, queue_prefix))

    assert (result.status, result.failed_step) == (SagaState.COMPENSATED, "create_shipment")
    assert result.compensations_run == ["refund_payment", "release_inventory"]  # a void ran
    assert result.compensations_skipped == ["cancel_shipment"]
    payment, _ = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Voided"
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
    assert stripe_state.ledger.refunds_of(str(intent["id"])) == []  # no refund, no fee
    assert stock(engine, sku) == 3


async def test_a_pickup_past_the_capture_window_captures_at_its_end_and_a_cancel_refunds(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=3)
    request = captured_then_waiting(order((sku, 1, "19.99")))

    async with build_worker(
        env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)

        await captured_before_pickup(handle)
        captured_row, _ = rows(engine, request.order_id)
        await handle.cancel(reason="changed my mind after the capture")
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        result = await order_result(handle)

    assert captured_row is not None and captured_row.status == "Captured"
    assert result.status == SagaState.CANCELLED
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Refunded"
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    [refund] = stripe_state.ledger.refunds_of(str(intent["id"]))
    assert (intent["amount_received"], refund["amount"]) == (1999, 1999)
    assert result.refund_id == refund["id"]
    assert shipment is not None and shipment.status == "Cancelled" and stock(engine, sku) == 3


async def test_an_authorization_gone_by_pickup_undoes_the_order(
    env, engine, queue_prefix, make_product
) -> None:
    """The bank let the hold lapse (here at once): the capture fails for good, the shipment
    is cancelled and the stock released; nothing was taken."""
    lapsing = LocalStripe(ledger=Ledger(authorization_seconds=0))
    sku = make_product(stock=3)
    request = order((sku, 1, "19.99")).model_copy(update={"handover_delay_seconds": 60})
    with serve_in_thread(lapsing) as base_url:
        async with build_worker(
            env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
        ):
            result = await order_result(await start_saga(env, request, queue_prefix))

    assert (result.status, result.failed_step, result.error_type) == (
        SagaState.COMPENSATED,
        "capture_payment",
        "CaptureFailed",
    )
    assert result.error_message is not None and "authorization expired" in result.error_message
    assert result.compensations_run == ["cancel_shipment", "refund_payment", "release_inventory"]
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Voided"
    assert shipment is not None and shipment.status == "Cancelled"
    [intent] = lapsing.ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["cancellation_reason"]) == ("canceled", "automatic")
    assert intent["amount_received"] == 0 and stock(engine, sku) == 3
    assert result.total == Decimal("19.99")


@pytest.mark.parametrize(
    ("card", "ends", "row"),
    [
        ("pm_card_pendingRefund", SagaState.CANCELLED, "Refunded"),
        ("pm_card_pendingRefundFails", SagaState.COMPENSATION_FAILED, "Captured"),
    ],
)
async def test_a_pending_refund_is_followed_until_the_bank_settles_it(
    env, engine, queue_prefix, make_product, card: str, ends: SagaState, row: str
) -> None:
    """Captured, then cancelled: the refund is pending at first; the undo reads it again
    until it settles. One the bank returns after pending waits for a person, as one it
    refuses at once does."""
    settling = LocalStripe(ledger=Ledger(refund_settle_seconds=1))
    sku = make_product(stock=2)
    request = captured_then_waiting(order((sku, 1, "19.99"), payment_method=card))
    with serve_in_thread(settling) as base_url:
        async with build_worker(
            env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
        ):
            handle = await start_saga(env, request, queue_prefix)
            await captured_before_pickup(handle)
            await handle.cancel(reason="returned at the door")
            if ends == SagaState.CANCELLED:
                with pytest.raises(WorkflowFailureError):
                    await handle.result()
                status = await query_status(handle)
            else:
                status = await waiting_for_person(handle)
                await mark_resolved(env.client, request.order_id, "refunded by transfer")
                await order_result(handle)

    assert status.status == ends
    [intent] = settling.ledger.intents_of_order(request.order_id)
    [refund] = settling.ledger.refunds_of(str(intent["id"]))
    assert refund["status"] == ("succeeded" if row == "Refunded" else "failed")
    assert await activity_attempts(handle, "refund_payment") > 1  # read again while pending
    payment, _ = rows(engine, request.order_id)
    assert payment is not None and payment.status == row
    if ends == SagaState.COMPENSATION_FAILED:
        assert [(f.activity, f.error_type) for f in status.compensation_failures] == [
            ("refund_payment", "RefundFailed")
        ]
