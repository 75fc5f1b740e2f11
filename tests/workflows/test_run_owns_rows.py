"""One order, one saga, for good: a new run under a finished (or terminated) order's workflow
id, whatever reuse policy its client picked, refuses before it changes anything, and leaves the
first run's money, stock and shipment as they were."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from order_saga.audit import Outcome, audit
from order_saga.client import order_result, order_status
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue, payment_and_shipment, stock
from tests.history import scheduled_activities
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga

# (the first order's outcome, the second start's reuse policy, whether the server lets it start)
POLICIES = [
    ("completed", WorkflowIDReusePolicy.ALLOW_DUPLICATE, True),
    ("completed", WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY, False),
    ("completed", WorkflowIDReusePolicy.REJECT_DUPLICATE, False),
    ("compensated", WorkflowIDReusePolicy.ALLOW_DUPLICATE, True),
    ("compensated", WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY, True),
    ("compensated", WorkflowIDReusePolicy.REJECT_DUPLICATE, False),
    ("running", WorkflowIDReusePolicy.ALLOW_DUPLICATE, False),
    ("running", WorkflowIDReusePolicy.TERMINATE_IF_RUNNING, True),
]


def first_order(sku: str, outcome: str) -> OrderRequest:
    country = "AQ" if outcome == "compensated" else "US"  # no carrier serves Antarctica
    wait = 3600 if outcome == "running" else 0
    return order((sku, 2, "19.99"), country=country).model_copy(
        update={"handover_delay_seconds": wait}
    )


def books(engine, stripe, request: OrderRequest, sku: str) -> tuple[object, ...]:
    """What a user would check of the first order: its rows, its Stripe objects, the stock."""
    payment, shipment = payment_and_shipment(engine, request.order_id)
    intents = stripe.ledger.intents_of_order(request.order_id)
    refunds = [r["status"] for i in intents for r in stripe.ledger.refunds_of(i["id"])]
    return (
        payment and (payment.status, payment.transaction_id, payment.amount),
        shipment and (shipment.status, shipment.tracking_number),
        [(i["id"], i["status"], i["amount"]) for i in intents],
        refunds,
        stock(engine, sku),
    )


@pytest.mark.parametrize(
    ("outcome", "policy", "starts"), POLICIES, ids=lambda p: str(getattr(p, "name", p))
)
async def test_a_new_run_under_an_orders_id_changes_nothing_of_the_first(
    env, engine, stripe_server, queue_prefix, make_product, outcome, policy, starts
) -> None:
    stripe, base_url = stripe_server
    sku = make_product(stock=5)
    request = first_order(sku, outcome)
    settings = Settings(stripe_api_base=base_url, queue_prefix=queue_prefix)
    queue = orders_queue(queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        first = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=queue
        )
        if outcome == "running":
            while (await order_status(env.client, request.order_id)).status != "AWAITING_HANDOVER":
                await env.sleep(1)  # skipped time: the saga books the shipment
        else:
            await order_result(first)
        before = books(engine, stripe, request, sku)

        # A careless integrator: the same order id, another amount and a refused country.
        again = request.model_copy(
            update={
                "items": [request.items[0].model_copy(update={"unit_price": Decimal("5.00")})],
                "shipping_address": request.shipping_address.model_copy(update={"country": "AQ"}),
                "handover_delay_seconds": 0,
            }
        )
        start = env.client.start_workflow(
            OrderSaga.run, again, id=request.workflow_id, task_queue=queue, id_reuse_policy=policy
        )
        if not starts:  # the server itself refuses: the first line of defence
            with pytest.raises(WorkflowAlreadyStartedError):
                await start
            assert books(engine, stripe, request, sku) == before
            if outcome == "running":
                await first.cancel()
                await order_result(first)
            return
        second = await start
        with pytest.raises(WorkflowFailureError) as refused:
            await second.result()
        status = await order_status(env.client, request.order_id)

    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "OrderTakenByAnotherRun"
    assert first.result_run_id in cause.message and cause.non_retryable
    assert cause.details == (request.workflow_id, first.result_run_id)
    assert await scheduled_activities(second) == ["reserve_inventory"]  # refused, undid nothing
    assert books(engine, stripe, request, sku) == before
    assert before[4] == (5 if outcome == "compensated" else 3)
    # `status` tells the first run's story, and says a later run was refused.
    expected = {"completed": "COMPLETED", "compensated": "COMPENSATED", "running": "TERMINATED"}
    assert status.status == expected[outcome]
    assert any("was refused" in notice for notice in status.notices)
    assert (await order_result(second)).status == SagaState.REFUSED
    if outcome == "running":  # the terminated run's effects stand, for a person to settle
        report = audit(
            engine,
            make_stripe_client(Settings(stripe_api_base=base_url)),
            {request.order_id: Outcome(SagaState.TERMINATED, request.total)},
        )
        assert report.terminated == [request.order_id] == report.needs_person
