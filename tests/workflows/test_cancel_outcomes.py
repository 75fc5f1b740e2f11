"""What a cancelled or compensated order reports: a cancel is a cancel even when the attempt
in flight then fails, an undo that fails needs a person, and the money's ids are kept."""

from __future__ import annotations

import asyncio

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from activities.inventory.contracts import ReservationResult, ReserveInventoryInput
from activities.payment.contracts import (
    RefundPaymentInput,
    RefundResult,
)
from order_saga.client import mark_resolved, order_result, query_status
from order_saga.settings import Settings
from order_saga.temporal import connect
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue, until
from tests.history import activity_events, scheduled_activities
from tests.waits import captured_before_pickup, captured_then_waiting, waiting_for_person
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState, StepState
from workflows.order_workflow import OrderSaga
from workflows.search_attributes import ORDER_STATUS


async def test_a_cancel_during_an_attempt_that_then_times_out_ends_cancelled(
    dev_server: str, queue_prefix: str
) -> None:
    """The reservation's worker dies mid-attempt: the attempt times out (30 s, on the dev
    server: the time-skipping one wedges here) after the cancel arrived, and the server, with
    a cancel requested, does not retry it."""
    client = await connect(dev_server)
    started, never = asyncio.Event(), asyncio.Event()

    @activity.defn(name="reserve_inventory")
    async def reserve_on_a_dead_worker(req: ReserveInventoryInput) -> ReservationResult:
        started.set()
        await never.wait()  # no answer, no heartbeat: as from a worker that was killed
        raise AssertionError("unreachable")

    request = order(("prod-456", 1, "19.99"))
    stubs = Stubs()
    replaced = stubs.with_overrides(reserve_inventory=reserve_on_a_dead_worker)
    async with stub_worker(client, queue_prefix, stubs, activities=replaced):
        handle = await client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        await asyncio.wait_for(started.wait(), timeout=30)
        await handle.cancel(reason="the customer changed their mind")
        try:
            with pytest.raises(WorkflowFailureError):
                await handle.result()
            status = await query_status(handle)
        finally:
            never.set()  # let the stub end, so the worker can shut down

    assert ("TIMED_OUT", "reserve_inventory") in await activity_events(handle)
    assert status.status == SagaState.CANCELLED
    assert status.cancel_reason == "the customer changed their mind"
    assert status.compensations_run == ["release_inventory"]
    assert all(step.error_type is None for step in status.steps)


async def test_a_cancelled_order_whose_undo_fails_is_compensation_failed(env, queue_prefix) -> None:
    @activity.defn(name="refund_payment")
    async def refused_refund(req: RefundPaymentInput) -> RefundResult:
        raise ApplicationError(
            "the bank refused the refund", type="RefundFailed", non_retryable=True
        )

    request = order(("prod-456", 1, "19.99")).model_copy(update={"handover_delay_seconds": 3600})
    stubs = Stubs()
    async with stub_worker(
        env, queue_prefix, stubs, activities=stubs.with_overrides(refund_payment=refused_refund)
    ):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )

        async def awaiting_handover() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

        await until(awaiting_handover)
        await handle.cancel(reason="too slow")
        status = await waiting_for_person(handle)  # the saga stays open for a person
        described = await handle.describe()
        await mark_resolved(env.client, request.order_id, "refunded by bank transfer")
        result = await order_result(handle)

    assert status.status == SagaState.COMPENSATION_FAILED
    assert described.typed_search_attributes.get(ORDER_STATUS) == "COMPENSATION_FAILED"
    charge = next(s for s in status.steps if s.name == "charge_payment")
    assert (charge.state, charge.error_type) == (StepState.COMPENSATION_FAILED, "RefundFailed")
    assert charge.error_message == "the bank refused the refund"
    assert status.compensations_run == ["cancel_shipment", "release_inventory"]
    assert (result.status, result.error_message) == (SagaState.RESOLVED, "cancelled: too slow")


async def test_a_refunded_order_keeps_its_payment_intent_and_refund_ids(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    """Captured before pickup, then cancelled: the result names the intent and its refund."""
    stripe, base_url = stripe_server
    request = captured_then_waiting(order((make_product(stock=2), 1, "19.99")))
    settings = Settings(stripe_api_base=base_url, queue_prefix=queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        await captured_before_pickup(handle)
        await handle.cancel(reason="changed my mind")
        result = await order_result(handle)
    assert result.status == SagaState.CANCELLED
    [intent] = stripe.ledger.intents_of_order(request.order_id)
    assert result.payment_intent_id == intent["id"]
    assert [r["id"] for r in stripe.ledger.refunds_of(intent["id"])] == [result.refund_id]
    assert result.payment_id is not None and result.payment_id.startswith("pay_")
    assert "refund_payment" in await scheduled_activities(handle)
