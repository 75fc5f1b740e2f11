"""The saga tells others without a workflow task of its own: its events and mails are handed
over by a local activity of its worker (one marker each time), never as children or signals;
one that fails for good costs the order its events and mail, never the order (run twice:
test_hand_over_reruns.py)."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.notification.contracts import mail_workflow_id
from activities.notification.events import (
    HAND_OVER_ACTIVITY,
)
from activities.notification.hand_over import HandedOver, HandOverInput
from order_saga.client import order_result
from tests.helpers import order, orders_queue
from tests.waits import until_closed
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement

EMAIL = "jane.doe@example.com"
HANDED_IN_HISTORY = {
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
}


async def run(
    env: WorkflowEnvironment, prefix: str, stubs: Stubs, request: OrderRequest, placement: Placement
) -> tuple[Any, list[HistoryEvent]]:
    """Run the order to its end, and what it handed over to theirs; its history."""
    async with stub_worker(env, prefix, stubs, placement=placement):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(prefix)
        )
        result = await order_result(handle)
        if stubs.subscribers:
            await until_closed(env.client.get_workflow_handle(f"{handle.id}-events"))
        if request.customer_email is not None:
            await until_closed(
                env.client.get_workflow_handle(mail_workflow_id(handle.id, "confirmed"))
            )
        return result, [event async for event in handle.fetch_history_events()]


def tasks(history: list[HistoryEvent]) -> int:
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in history)


async def test_a_told_order_costs_no_more_workflow_tasks_than_a_silent_one(
    env: WorkflowEnvironment, placement: Placement
) -> None:
    told, silent = Stubs(), Stubs()
    told.subscribers = [1]
    told_order = order(("prod-456", 1, "19.99")).model_copy(update={"customer_email": EMAIL})
    result, told_history = await run(env, "hand-a", told, told_order, placement)
    _, silent_history = await run(env, "hand-b", silent, order(("prod-456", 1, "19.99")), placement)

    assert result.status == SagaState.COMPLETED
    assert [e.type for e in told.events] == [
        "order.started",
        "payment.authorized",
        "order.completed",
    ]
    assert [m.kind for m in told.mails] == ["confirmed"]
    assert not [e for e in told_history if e.event_type in HANDED_IN_HISTORY]
    assert tasks(told_history) == tasks(silent_history)
    # Three events, the end of them and a mail in three markers; the silent order's one lookup.
    assert len(told_history) == len(silent_history) + 2


@activity.defn(name=HAND_OVER_ACTIVITY)
async def unreachable(request: HandOverInput) -> HandedOver:
    raise ApplicationError("Temporal unreachable", non_retryable=True)


@pytest.mark.parametrize("placement", ["per-service", "colocated"])
async def test_a_hand_over_that_fails_for_good_costs_the_order_nothing(
    env: WorkflowEnvironment, placement: Placement
) -> None:
    stubs = Stubs()
    stubs.subscribers = [1]
    request = order(("prod-456", 1, "19.99")).model_copy(update={"customer_email": EMAIL})
    overrides = [*stubs.activities(), unreachable]
    async with stub_worker(env, "hand-c", stubs, activities=overrides, placement=placement):
        handle: WorkflowHandle[Any, Any] = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue("hand-c")
        )
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    assert stubs.events == [] and stubs.mails == []
    assert stubs.calls["capture_payment"] == 1  # the money moved as for any order
