"""No orphaned PaymentIntent, and no stock held for one: an intent that was never confirmed
holds no money, so its void runs apart from the saga. The order ends and its stock comes back
while the gateway is down; the void finds the intent (replaying the create under its key
when every answer to it was lost) and cancels it once the gateway answers."""

from __future__ import annotations

from datetime import timedelta

from order_saga.client import order_result
from order_saga.worker_group import build_worker
from tests.helpers import (
    order,
    orders_queue,
    payment_and_shipment,
)
from tests.workflows.void_helpers import books, closed, settings_for, void_done
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga


async def test_an_intent_whose_every_answer_was_lost_is_found_and_cancelled(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    request = order((make_product(stock=2), 1, "19.99"))
    # Each create runs at the gateway and its answer is lost, for the step's whole hour.
    stripe_state.faults.force("execute_then_timeout", 1_000_000, path_suffix="/payment_intents")
    # Per service: the step's hour must pass in skipped time, and a local activity's
    # deadline keeps the worker's wall clock (test_step_deadline_in_real_time).
    settings = settings_for(base_url, queue_prefix, placement="per-service")
    async with build_worker(env.client, settings=settings, engine=engine):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        await closed(env, handle, timedelta(minutes=5))  # the step gives up after its hour
        result = await order_result(handle)
        stripe_state.faults.clear()  # the gateway answers again while the void retries
        await void_done(env.client, request)

    assert (result.status, result.failed_step) == (SagaState.COMPENSATED, "charge_payment")
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert intent["status"] == "canceled"
    payment, _ = payment_and_shipment(engine, request.order_id)
    assert payment is not None
    assert (payment.status, payment.transaction_id) == ("Failed", intent["id"])
    assert (payment.workflow_id, payment.saga_run) == (request.workflow_id, handle.result_run_id)
    assert books(base_url, engine, request, SagaState.COMPENSATED).clean
