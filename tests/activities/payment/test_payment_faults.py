"""The payment step under gateway faults: lost answers, rate limits, outages, reused keys."""

from __future__ import annotations

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.inventory.stock import stock_of
from order_saga.client import mark_resolved, order_result, start_order
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue
from tests.history import activity_attempts
from tests.waits import captured_before_pickup, captured_then_waiting, waiting_for_person
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult, SagaState
from workflows.order_workflow import OrderSaga
from workflows.search_attributes import ORDER_STATUS


def intents(stripe_state: LocalStripe, order_id: str, status: str = "succeeded") -> list[str]:
    return [str(i["id"]) for i in stripe_state.ledger.intents_of_order(order_id, status)]


async def run(
    env: WorkflowEnvironment,
    engine: Engine,
    base_url: str,
    queue_prefix: str,
    request: OrderRequest,
    **settings: object,
) -> OrderResult:
    config = Settings(stripe_api_base=base_url, queue_prefix=queue_prefix, **settings)  # type: ignore[arg-type]
    async with build_worker(env.client, settings=config, engine=engine, max_cached_workflows=0):
        return await order_result(
            await env.client.start_workflow(
                OrderSaga.run,
                request,
                id=request.workflow_id,
                task_queue=orders_queue(queue_prefix),
            )
        )


async def test_lost_answers_charge_exactly_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    request = order((make_product(stock=2), 1, "19.99"))
    stripe_state.faults.force("execute_then_timeout", 2, path_suffix="/confirm")

    result = await run(env, engine, base_url, queue_prefix, request)

    assert result.status == SagaState.COMPLETED
    assert intents(stripe_state, request.order_id) == [result.payment_intent_id]
    assert stripe_state.requests_with_key(f"{request.workflow_id}/confirm") == 3


async def test_answers_lost_past_the_sdk_retries_are_replayed_by_temporal_retries(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    request = order((make_product(stock=2), 1, "19.99"))
    # The SDK tries three times; all three answers are lost, so Temporal retries the step.
    stripe_state.faults.force("execute_then_timeout", 3, path_suffix="/payment_intents")

    result = await run(env, engine, base_url, queue_prefix, request)

    assert result.status == SagaState.COMPLETED
    created = stripe_state.ledger.intents_of_order(request.order_id)
    assert [i["id"] for i in created] == [result.payment_intent_id]
    assert stripe_state.requests_with_key(f"{request.workflow_id}/create") == 4


async def test_shipment_failure_after_lost_answer_voids_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    """The authorization's answer was lost twice: the retried confirm replays it, and the
    failed shipment's undo voids that one authorization; nothing is taken or refunded."""
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99"), country="AQ")
    stripe_state.faults.force("execute_then_timeout", 2, path_suffix="/confirm")

    result = await run(env, engine, base_url, queue_prefix, request)

    assert (result.failed_step, result.error_type) == ("create_shipment", "ShipmentRejected")
    assert intents(stripe_state, request.order_id) == []  # nothing captured
    [voided] = intents(stripe_state, request.order_id, status="canceled")
    assert stripe_state.ledger.refunds_of(voided) == []
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 2


async def test_processing_error_is_final_and_compensated_at_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99"), payment_method="pm_card_chargeDeclinedProcessingError")

    handle_result = await run(env, engine, base_url, queue_prefix, request)

    assert (handle_result.failed_step, handle_result.error_type) == (
        "charge_payment",
        "ProcessingError",
    )
    # One confirm: retrying under the same key would only replay the same answer.
    assert stripe_state.requests_with_key(f"{request.workflow_id}/confirm") == 1
    assert intents(stripe_state, request.order_id) == []
    assert len(intents(stripe_state, request.order_id, status="canceled")) == 1
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 2


async def test_three_rate_limits_then_success_completes(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    request = order((make_product(stock=2), 1, "19.99"))
    stripe_state.faults.force("http_429", 3, path_suffix="/confirm")

    result = await run(env, engine, base_url, queue_prefix, request)

    assert result.status == SagaState.COMPLETED
    handle = env.client.get_workflow_handle(request.workflow_id)
    assert await activity_attempts(handle, "charge_payment") == 4
    assert len(intents(stripe_state, request.order_id)) == 1


async def test_same_key_with_another_amount_is_final_and_reported(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99"))
    # Something else already used this order's key for a different amount.
    make_stripe_client(Settings(stripe_api_base=base_url)).v1.payment_intents.create(
        params={"amount": 100, "currency": "usd", "payment_method": "pm_card_visa"},
        options={"idempotency_key": f"{request.workflow_id}/create"},
    )

    result = await run(env, engine, base_url, queue_prefix, request)

    assert (result.status, result.failed_step, result.error_type) == (
        SagaState.COMPENSATED,
        "charge_payment",
        "IdempotencyConflict",
    )
    assert "same parameters" in (result.error_message or "")
    assert intents(stripe_state, request.order_id) == []
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 2


async def test_a_refund_the_bank_refuses_waits_for_a_person_after_the_rest_is_undone(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    stripe_state, base_url = stripe_server
    sku = make_product(stock=2)
    # Only a captured payment is refunded: captured before pickup, then cancelled.
    request = captured_then_waiting(order((sku, 1, "19.99"), payment_method="pm_card_refundFail"))
    config = Settings(stripe_api_base=base_url, queue_prefix=queue_prefix)
    async with build_worker(env.client, settings=config, engine=engine, max_cached_workflows=0):
        handle = await start_order(env.client, request, queue_prefix)
        await captured_before_pickup(handle)
        await handle.cancel(reason="the customer changed their mind")
        waiting = await waiting_for_person(handle)
        described = await handle.describe()
        with transaction(engine) as session:
            stock = stock_of(session=session, sku=sku)
        await mark_resolved(env.client, request.order_id, "refunded by hand in the dashboard")
        result = await order_result(handle)

    assert waiting.status == SagaState.COMPENSATION_FAILED
    assert described.typed_search_attributes.get(ORDER_STATUS) == "COMPENSATION_FAILED"
    assert [(f.activity, f.error_type) for f in waiting.compensation_failures] == [
        ("refund_payment", "RefundFailed")
    ]
    assert waiting.compensations_run == ["cancel_shipment", "release_inventory"]  # the rest ran
    assert stock == 2
    [charged] = intents(stripe_state, request.order_id)
    assert [r["status"] for r in stripe_state.ledger.refunds_of(charged)] == ["failed"]
    assert result.status == SagaState.RESOLVED
    assert result.resolution is not None
    assert result.resolution.note == "refunded by hand in the dashboard"
