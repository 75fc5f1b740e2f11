"""3-D Secure: a card whose bank asks the customer is not a decline. The saga waits, durably,
in AWAITING_AUTHENTICATION with the page to send the customer to, and goes on when the intent
says so: woken by a webhook's signal, or reading it again on its own when none comes."""

from __future__ import annotations

from typing import Any

import requests
from temporalio.client import WorkflowHandle

from order_saga.client import order_result, query_status
from order_saga.worker_group import build_worker
from tests.helpers import order, start_saga, stock, until, worker_settings
from tests.helpers import payment_and_shipment as rows
from workflows.order_state import PAYMENT_EVENT_SIGNAL, PaymentEvent, SagaState, SagaStatus

CARD = "pm_card_threeDSecure2Required"


async def awaiting_authentication(handle: WorkflowHandle[Any, Any]) -> SagaStatus:
    found: list[SagaStatus] = []

    async def waiting() -> bool:
        found[:] = [await query_status(handle)]
        return found[0].status == SagaState.AWAITING_AUTHENTICATION

    await until(waiting)
    return found[0]


async def test_the_customer_authenticates_and_the_order_ships_woken_by_the_webhook(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99"), payment_method=CARD).model_copy(
        update={"handover_delay_seconds": 0}
    )
    async with build_worker(
        env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)
        waiting = await awaiting_authentication(handle)
        assert waiting.authentication_url is not None
        assert requests.post(f"{waiting.authentication_url}/complete", timeout=10).ok
        [intent] = stripe_state.ledger.intents_of_order(request.order_id)
        await handle.signal(
            PAYMENT_EVENT_SIGNAL,
            PaymentEvent(
                event_id="evt_1", type="payment_intent.amount_capturable_updated",
                payment_intent_id=intent["id"],
            ),
        )  # fmt: skip
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    charge = next(s for s in waiting.steps if s.name == "charge_payment")
    assert charge.state == "RUNNING"
    payment, shipment = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Captured"
    assert shipment is not None and shipment.status == "Created" and stock(engine, sku) == 1


async def test_a_failed_authentication_is_a_decline_and_a_silent_one_times_out(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    """No webhook comes for either: the saga's own reading of the intent finds the failure;
    the order nobody authenticates is undone when its time is up. Nothing is held."""
    stripe_state, base_url = stripe_server
    sku = make_product(stock=4)
    failing = order((sku, 1, "19.99"), payment_method=CARD)
    silent = order((sku, 1, "19.99"), payment_method=CARD)
    async with build_worker(
        env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
    ):
        failing_handle = await start_saga(env, failing, queue_prefix)
        silent_handle = await start_saga(env, silent, queue_prefix)
        waiting = await awaiting_authentication(failing_handle)
        await awaiting_authentication(silent_handle)
        assert requests.post(f"{waiting.authentication_url}/fail", timeout=10).ok
        failed = await order_result(failing_handle)  # the time-skipping server skips ahead
        timed_out = await order_result(silent_handle)

    assert (failed.status, failed.failed_step, failed.error_type) == (
        SagaState.COMPENSATED,
        "charge_payment",
        "AuthenticationFailed",
    )
    assert (timed_out.status, timed_out.error_type) == (
        SagaState.COMPENSATED,
        "AuthenticationTimedOut",
    )
    for request in (failing, silent):
        [intent] = stripe_state.ledger.intents_of_order(request.order_id)
        assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
        payment, shipment = rows(engine, request.order_id)
        assert payment is not None and payment.status == "Failed" and shipment is None
    assert stock(engine, sku) == 4


async def test_a_cancel_while_the_customer_is_asked_undoes_the_order(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99"), payment_method=CARD)
    async with build_worker(
        env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)
        await awaiting_authentication(handle)
        await handle.cancel(reason="changed my mind at the bank's page")
        result = await order_result(handle)

    assert result.status == SagaState.CANCELLED
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert intent["status"] == "canceled" and stock(engine, sku) == 2
