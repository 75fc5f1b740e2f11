"""No orphaned PaymentIntent: when every answer to the create was lost and the step gave up,
the refund still finds the intent (replaying the create under its key) and cancels it."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus

from activities.payment.stripe_client import make_stripe_client
from order_saga.audit import Outcome, audit
from order_saga.client import order_result, query_status
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue, payment_and_shipment
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga


async def test_an_intent_whose_every_answer_was_lost_is_found_and_cancelled(
    env, engine, stripe_server, task_queue, make_product
) -> None:
    stripe_state, base_url = stripe_server
    request = order((make_product(stock=2), 1, "19.99"))
    # Each create runs at the gateway and its answer is lost, for the step's whole hour.
    stripe_state.faults.force("execute_then_timeout", 1_000_000, path_suffix="/payment_intents")
    # The breaker keeps wall-clock time while this server skips it: left to open, it fails
    # the undo for 30 real seconds, thousands of skipped-time retries that once broke the
    # server's HTTP/2 stream. It is not what this test is about.
    settings = Settings(
        stripe_api_base=base_url,
        task_queue=task_queue,
        stripe_max_network_retries=0,
        breaker_fail_max=1_000_000,
    )
    async with build_worker(env.client, settings=settings, engine=engine):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(task_queue)
        )
        # One call at a time on the time-skipping server (it fails when a query races the
        # skipping of a result): skip the step's retries in slices, then look.
        for _ in range(30):
            if (await query_status(handle)).state == SagaState.COMPENSATING:
                break
            await env.sleep(timedelta(minutes=5))
        stripe_state.faults.clear()  # the gateway answers again while the undo retries
        # No long poll for the result either: it broke the server's HTTP/2 stream once.
        for _ in range(30):
            if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                break
            await env.sleep(timedelta(seconds=30))
        assert (await handle.describe()).status != WorkflowExecutionStatus.RUNNING
        result = await order_result(handle)

    assert (result.status, result.failed_step) == (SagaState.COMPENSATED, "charge_payment")
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert intent["status"] == "canceled"
    assert result.payment_intent_id == intent["id"]
    payment, _ = payment_and_shipment(engine, request.order_id)
    assert payment is not None
    assert (payment.status, payment.transaction_id) == ("Failed", intent["id"])
    books = audit(
        engine,
        make_stripe_client(Settings(stripe_api_base=base_url)),
        {request.order_id: Outcome(SagaState.COMPENSATED, request.total)},
    )
    assert books.clean, books
