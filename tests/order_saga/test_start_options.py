"""What a saga is started with, read back from its history as an operator would."""

from __future__ import annotations

from order_saga.client import start_order
from order_saga.client.starting import WORKFLOW_TASK_TIMEOUT
from tests.helpers import order


async def test_a_saga_gives_its_workflow_tasks_time_for_local_activities_that_wait(
    env, queue_prefix
) -> None:
    handle = await start_order(env.client, order(("prod-456", 1, "19.99")), queue_prefix)
    try:
        async for event in handle.fetch_history_events():
            started = event.workflow_execution_started_event_attributes
            assert started.workflow_task_timeout.ToTimedelta() == WORKFLOW_TASK_TIMEOUT
            break
    finally:
        await handle.terminate("only its start was wanted")
    assert WORKFLOW_TASK_TIMEOUT.total_seconds() == 30
