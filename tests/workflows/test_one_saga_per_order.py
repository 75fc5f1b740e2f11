"""One order, one saga: a saga started by any client under another workflow id is refused
before it can touch money or stock."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from order_saga.client import order_result
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue, payment_and_shipment, stock
from tests.history import scheduled_activities
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga


async def test_a_saga_under_another_workflow_id_is_refused_before_any_activity(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe, base_url = stripe_server
    sku = make_product(stock=5)
    request = order((sku, 2, "19.99")).model_copy(update={"handover_delay_seconds": 0})
    settings = Settings(stripe_api_base=base_url, queue_prefix=queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        done = await order_result(
            await env.client.start_workflow(
                OrderSaga.run,
                request,
                id=request.workflow_id,
                task_queue=orders_queue(queue_prefix),
            )
        )
        # Another client (the temporal CLI, the Web UI, a script) picks its own id.
        rogue = await env.client.start_workflow(
            OrderSaga.run,
            request,
            id=f"rogue-{uuid.uuid4()}",
            task_queue=orders_queue(queue_prefix),
        )
        with pytest.raises(WorkflowFailureError) as refused:
            await rogue.result()

    assert done.status == SagaState.COMPLETED
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "WrongWorkflowId"
    assert request.workflow_id in cause.message and cause.non_retryable
    assert await scheduled_activities(rogue) == []
    payment, shipment = payment_and_shipment(engine, request.order_id)
    assert payment is not None and payment.status == "Captured"
    assert shipment is not None and shipment.status == "Created"
    assert stock(engine, sku) == 3
    intent_id = payment.transaction_id
    assert intent_id is not None and stripe.ledger.refunds_of(intent_id) == []
