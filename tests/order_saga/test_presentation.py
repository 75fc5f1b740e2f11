"""How a saga reads in the Web UI: a summary and details fixed at start, current details
with an absolute pickup time, and a compensated order ending as a failed workflow that
carries its result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from order_saga.client import order_result, query_status, start_order
from order_saga.temporal import connect
from tests.helpers import order, until
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState


async def test_the_header_tells_the_order_and_the_details_give_the_pickup_time(
    env, queue_prefix
) -> None:
    request = order(("prod-456", 2, "19.99"), ("prod-789", 1, "49.50")).model_copy(
        update={"handover_delay_seconds": 3600, "customer_email": "jane.doe@example.com"}
    )
    async with stub_worker(env, queue_prefix, Stubs()):
        handle = await start_order(env.client, request, queue_prefix)

        async def awaiting_handover() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

        await until(awaiting_handover)
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        now = await env.get_current_time()
        await handle.cancel()
        await order_result(handle)  # nothing left running on the shared test server

    described = await handle.describe()
    assert await described.static_summary() == (
        f"order {request.order_id} · 3 items · 89.48 USD · cust-123"
    )
    details = await described.static_details()
    assert details is not None
    assert "- prod-456: 2 at 19.99 USD each" in details and "**ships to** US" in details
    assert "123 Main St" not in details and "Springfield" not in details  # no address
    assert "jane.doe" not in details and "jane.doe" not in str(described.search_attributes)
    # An absolute time a person can read later, not a countdown that goes stale.
    current = metadata.current_details
    assert " picks up at " in current
    assert current.endswith("cancel or amend still possible until then")
    pickup = current.split(" picks up at ")[1].split(";")[0]
    assert pickup.endswith(" UTC") and pickup[:13] in {
        (now + timedelta(hours=h)).strftime("%Y-%m-%d %H") for h in (0, 1)
    }


async def test_a_compensated_order_is_a_failed_workflow_carrying_its_result(
    env, queue_prefix
) -> None:
    request = order(("prod-456", 1, "19.99"), country="AQ")
    async with stub_worker(env, queue_prefix, Stubs(reject_shipment=True)):
        handle = await start_order(env.client, request, queue_prefix)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        result = await order_result(handle)

    assert (await handle.describe()).status == WorkflowExecutionStatus.FAILED
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "OrderCompensated"
    assert cause.message.startswith(f"order {request.order_id} COMPENSATED: create_shipment failed")
    assert result.status == SagaState.COMPENSATED
    assert result.compensations_run == ["cancel_shipment", "refund_payment", "release_inventory"]


async def test_a_business_outcome_carries_no_stack_trace(env, queue_prefix) -> None:
    """The Web UI shows a compensated order's failure: its message and result, never the
    frames (and install paths) of the SDK that raised it."""
    client = await connect(env.client.service_client.config.target_host)  # as deployed
    request = order(("prod-456", 1, "19.99"), country="AQ")
    async with stub_worker(client, queue_prefix, Stubs(reject_shipment=True)):
        handle = await start_order(client, request, queue_prefix)
        with pytest.raises(WorkflowFailureError):
            await handle.result()
    failed = [
        e.workflow_execution_failed_event_attributes.failure
        async for e in handle.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    ]
    assert [f.application_failure_info.type for f in failed] == ["OrderCompensated"]
    assert failed[0].stack_trace == "" and "site-packages" not in str(failed[0])
