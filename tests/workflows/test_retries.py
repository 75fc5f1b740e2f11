"""Retry behaviour of steps and compensations, with stub activities registered by name."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.payment.contracts import (
    ChargePaymentInput,
    ChargeResult,
    RefundPaymentInput,
    RefundResult,
)
from order_saga.client import order_result
from tests.helpers import FULL_UNDO, order, orders_queue
from tests.history import activity_attempts, scheduled_activities
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import run_stub_saga, stub_worker
from workflows.order_state import SagaState, StepState
from workflows.order_workflow import OrderSaga


async def test_transient_gateway_failures_are_retried_then_succeed(
    env, queue_prefix, placement
) -> None:
    stubs = Stubs(fail_first={"charge_payment": 3})
    request = order(("prod-456", 2, "19.99"))
    result, handle = await run_stub_saga(env, queue_prefix, stubs, request, placement)
    assert result.status == SagaState.COMPLETED
    # Three 503s then success, on the fourth attempt.
    assert await activity_attempts(handle, "charge_payment") == 4
    assert result.compensations_run == []


async def test_transient_failures_past_the_steps_deadline_compensate(env, queue_prefix) -> None:
    # Per service: a local activity's deadline runs on the worker's wall clock, which the
    # time-skipping server does not move (test_step_deadline_in_real_time covers both).
    stubs = Stubs(fail_first={"charge_payment": 100_000})
    request = order(("prod-456", 1, "19.99"))
    result, handle = await run_stub_saga(env, queue_prefix, stubs, request)
    assert (result.status, result.failed_step, result.error_type) == (
        SagaState.COMPENSATED,
        "charge_payment",
        "GatewayError",
    )
    # 2 s, 4 s, 8 s, 16 s, then every 30 s until the charge's one-hour deadline.
    assert 100 < stubs.calls["charge_payment"] < 130
    described = await handle.describe()
    assert described.close_time is not None
    # The server stops at the last retry that still fits in the hour.
    assert described.close_time - described.start_time >= timedelta(minutes=59)
    assert result.compensations_run == ["refund_payment", "release_inventory"]


async def test_failing_compensation_is_retried_until_it_succeeds(
    env, queue_prefix, placement
) -> None:
    stubs = Stubs(fail_first={"refund_payment": 6, "release_inventory": 2}, reject_shipment=True)
    request = order(("prod-456", 1, "19.99"))
    result, handle = await run_stub_saga(env, queue_prefix, stubs, request, placement)
    assert result.status == SagaState.COMPENSATED
    assert await activity_attempts(handle, "refund_payment") == 7
    assert await activity_attempts(handle, "release_inventory") == 3
    assert await scheduled_activities(handle) == FULL_UNDO


async def test_status_query_reports_each_step_while_running(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.shipment_gate = asyncio.Event()
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        await asyncio.wait_for(stubs.shipment_started.wait(), timeout=30)
        status = await handle.query(OrderSaga.status)
        states = [s.state for s in status.steps]
        assert status.status == SagaState.RUNNING
        done, running, pending = StepState.DONE, StepState.RUNNING, StepState.PENDING
        assert states == [done, done, done, running, pending]  # reserve, risk, charge: done
        stubs.shipment_gate.set()
        result = await order_result(handle)
        final = await handle.query(OrderSaga.status)
    assert result.status == final.status == SagaState.COMPLETED
    assert [s.state for s in final.steps] == [StepState.DONE] * 5  # captured at pickup too


async def test_a_step_that_took_effect_before_failing_is_still_undone(env, queue_prefix) -> None:
    """The charge lands at the gateway but every answer is lost: the refund still runs."""
    stubs = Stubs(fail_first={"charge_payment": 10})
    charged: set[str] = set()

    @activity.defn(name="charge_payment")
    async def charge_then_lose_the_answer(req: ChargePaymentInput) -> ChargeResult:
        charged.add(req.order_id)
        raise ApplicationError("read timed out", type="GatewayUnreachable")

    @activity.defn(name="refund_payment")
    async def refund(req: RefundPaymentInput) -> RefundResult:
        charged.discard(req.order_id)
        return RefundResult(order_id=req.order_id, action="refunded", refund_id="re_1")

    request = order(("prod-456", 1, "19.99"))
    replaced = stubs.with_overrides(
        charge_payment=charge_then_lose_the_answer, refund_payment=refund
    )
    async with stub_worker(env, queue_prefix, stubs, activities=replaced):
        result = await order_result(
            await env.client.start_workflow(
                OrderSaga.run,
                request,
                id=request.workflow_id,
                task_queue=orders_queue(queue_prefix),
            )
        )
    assert (result.failed_step, result.error_type) == ("charge_payment", "GatewayUnreachable")
    assert result.compensations_run == ["refund_payment", "release_inventory"]
    assert charged == set()
