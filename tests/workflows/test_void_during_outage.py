"""A cancel during a gateway outage, before any confirm: no money can have moved, so the
stock comes back and the order ends while the gateway is still down; the orphan intent is
voided once it answers. (Its own module, so its own time-skipping server: after it, skipping
time for the next test's saga hung a shared one.)"""

from __future__ import annotations

from datetime import timedelta

from order_saga.client import order_result, query_status
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue, stock
from tests.history import scheduled_activities
from tests.workflows.void_helpers import books, closed, settings_for, void_done
from workflows.order_state import SagaState, SagaStatus, StepState, StepStatus
from workflows.order_workflow import OrderSaga


async def test_a_cancel_while_the_gateway_is_down_releases_the_stock_at_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99"))
    # The create runs at the gateway and its answer is lost; every other call answers 500.
    stripe_state.faults.force("execute_then_timeout", 1_000_000, path_suffix="/payment_intents")
    stripe_state.faults.force("http_500", 1_000_000)
    async with build_worker(
        env.client, settings=settings_for(base_url, queue_prefix), engine=engine
    ):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        while not stripe_state.ledger.intents_of_order(request.order_id):
            await env.sleep(timedelta(seconds=1))  # the create retries against the outage
        assert charge_of(await query_status(handle)).state == StepState.RUNNING
        await handle.cancel(reason="changed my mind")
        await closed(env, handle, timedelta(seconds=1))
        # The order ended while the gateway was still down: the stock is back, and the
        # orphan intent (what the audit reports as such) waits for its void.
        result = await order_result(handle)
        stock_at_end = stock(engine, sku)
        orphan = [i["status"] for i in stripe_state.ledger.intents_of_order(request.order_id)]
        stripe_state.faults.clear()
        await void_done(env.client, request)

    assert result.status == SagaState.CANCELLED
    assert stock_at_end == 2 and orphan == ["requires_confirmation"]
    assert "refund_payment" not in await scheduled_activities(handle)
    assert (await scheduled_activities(handle))[-1] == "release_inventory"
    [intent] = stripe_state.ledger.intents_of_order(request.order_id)
    assert intent["status"] == "canceled"
    assert books(base_url, engine, request, SagaState.CANCELLED).clean


def charge_of(status: SagaStatus) -> StepStatus:
    """The payment's step in a status."""
    return next(step for step in status.steps if step.name == "charge_payment")
