"""What the saga cannot settle alone: a failed undo waits for a person (retry or mark
resolved, as Updates that refuse a saga not waiting), and a business deadline expires it."""

from __future__ import annotations

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError

from activities.payment.contracts import RefundPaymentInput, RefundResult
from order_saga.client import (
    NotWaitingForPerson,
    mark_resolved,
    order_result,
    query_status,
    retry_undos,
    start_order,
)
from tests.helpers import order, until
from tests.waits import waiting_for_person
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState, StepState
from workflows.search_attributes import ORDER_STATUS


class Issuer:
    """A bank that refuses refunds until someone fixes the card."""

    def __init__(self) -> None:
        self.fixed = False
        self.refunds = 0

    def refund(self) -> object:
        @activity.defn(name="refund_payment")
        async def refund(req: RefundPaymentInput) -> RefundResult:
            if not self.fixed:
                raise ApplicationError("card closed", type="RefundFailed", non_retryable=True)
            self.refunds += 1
            return RefundResult(order_id=req.order_id, action="refunded", refund_id="re_1")

        return refund


def rejected() -> tuple[Stubs, Issuer, list[object]]:
    stubs, issuer = Stubs(reject_shipment=True), Issuer()
    return stubs, issuer, stubs.with_overrides(refund_payment=issuer.refund())


async def test_a_retry_after_the_fix_finishes_the_undo_and_a_repeat_changes_nothing(
    env, queue_prefix
) -> None:
    stubs, issuer, activities = rejected()
    request = order(("prod-456", 1, "19.99"), country="AQ")
    async with stub_worker(env, queue_prefix, stubs, activities=activities):
        handle = await start_order(env.client, request, queue_prefix)
        waiting = await waiting_for_person(handle)
        again = await retry_undos(env.client, request.order_id)  # not fixed yet: still waiting
        issuer.fixed = True
        done = await retry_undos(env.client, request.order_id)
        result = await order_result(handle)
        with pytest.raises(NotWaitingForPerson, match="not waiting for a person"):
            await retry_undos(env.client, request.order_id)

    assert waiting.status == SagaState.COMPENSATION_FAILED
    assert waiting.compensations_run == ["cancel_shipment", "release_inventory"]  # older ran
    assert (again.status, again.waiting_for_person) == (SagaState.COMPENSATION_FAILED, True)
    assert done.compensation_failures == []
    assert result.status == SagaState.COMPENSATED
    assert result.compensations_run == ["cancel_shipment", "release_inventory", "refund_payment"]
    assert issuer.refunds == 1  # the repeat ran nothing
    assert (await handle.describe()).status == WorkflowExecutionStatus.FAILED  # compensated


async def test_mark_resolved_records_the_note_and_time_and_ends_resolved(env, queue_prefix) -> None:
    stubs, _, activities = rejected()
    request = order(("prod-456", 1, "19.99"), country="AQ")
    async with stub_worker(env, queue_prefix, stubs, activities=activities):
        handle = await start_order(env.client, request, queue_prefix)
        await waiting_for_person(handle)
        before = await env.get_current_time()
        settled = await mark_resolved(env.client, request.order_id, "refunded by bank transfer")
        result = await order_result(handle)
        with pytest.raises(NotWaitingForPerson):
            await mark_resolved(env.client, request.order_id, "again")

    assert settled.resolution is not None and settled.resolution.note == "refunded by bank transfer"
    assert settled.resolution.resolved_at >= before.replace(microsecond=0)
    assert (result.status, result.resolution) == (SagaState.RESOLVED, settled.resolution)
    assert [f.activity for f in result.compensation_failures] == ["refund_payment"]  # the record
    described = await handle.describe()
    # It did not ship: a failed workflow (red in the Web UI), apart from a shipped order.
    assert described.status == WorkflowExecutionStatus.FAILED
    assert described.typed_search_attributes.get(ORDER_STATUS) == "RESOLVED"


async def test_a_saga_not_waiting_refuses_a_resolve(env, queue_prefix) -> None:
    request = order(("prod-456", 1, "19.99")).model_copy(update={"handover_delay_seconds": 3600})
    async with stub_worker(env, queue_prefix, Stubs()):
        handle = await start_order(env.client, request, queue_prefix)

        async def awaiting_handover() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

        await until(awaiting_handover)
        with pytest.raises(NotWaitingForPerson, match="it is AWAITING_HANDOVER"):
            await mark_resolved(env.client, request.order_id, "nothing to fix")
        await handle.cancel()
        assert (await order_result(handle)).status == SagaState.CANCELLED


async def test_an_order_not_shipped_by_its_deadline_is_undone_and_expired(
    env, queue_prefix
) -> None:
    stubs = Stubs(fail_first={"create_shipment": 10_000})  # the carrier is down for days
    request = order(("prod-456", 1, "19.99")).model_copy(
        update={"deadline_seconds": 600, "step_deadline_seconds": 86400}  # the order gives up first
    )
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)  # time skips to the deadline
        status = await query_status(handle)

    assert result.status == SagaState.EXPIRED
    assert result.error_type == "DeadlineExpired"
    assert result.compensations_run == ["cancel_shipment", "refund_payment", "release_inventory"]
    described = await handle.describe()
    assert described.status == WorkflowExecutionStatus.FAILED
    assert described.typed_search_attributes.get(ORDER_STATUS) == "EXPIRED"
    shipment = next(s for s in status.steps if s.name == "create_shipment")
    assert shipment.state == StepState.COMPENSATED


async def test_a_booked_shipment_is_past_the_deadline(env, queue_prefix) -> None:
    request = order(("prod-456", 1, "19.99")).model_copy(
        update={"deadline_seconds": 60, "handover_delay_seconds": 3600}  # pickup after it
    )
    async with stub_worker(env, queue_prefix, Stubs()):
        result = await order_result(await start_order(env.client, request, queue_prefix))
    assert result.status == SagaState.COMPLETED
