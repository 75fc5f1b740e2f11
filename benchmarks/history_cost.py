"""What one order's workflow costs the engine, read off a sample of its histories: events,
workflow tasks, state transitions (describe's `stateTransitionCount`, the unit Temporal's own
benchmark tool counts in) and the actions Temporal Cloud would bill for it, counted from the
history as its pricing page counts them (a start, each activity, timer, signal sent or taken,
child started, search-attribute or memo write, update, and one per batch of local
activities a workflow task ran)."""

from __future__ import annotations

import statistics

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

BILLED = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
        EventType.EVENT_TYPE_TIMER_STARTED,
        EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
        EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
        EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    }
)
COLUMNS = ("events", "workflow tasks", "state transitions", "actions")


def is_local_activity(event: HistoryEvent) -> bool:
    """A local activity's marker (a patch's is not billed)."""
    marker = event.marker_recorded_event_attributes
    return (
        event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and marker.marker_name == "core_local_activity"
    )


async def order_cost(client: Client, task_queue: str, sample: int = 5) -> dict[str, float]:
    """Medians over up to `sample` closed workflows of the queue."""
    rows: list[tuple[int, int, int, int]] = []
    query = f'TaskQueue = "{task_queue}" AND ExecutionStatus != "Running"'
    async for execution in client.list_workflows(query, limit=sample):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        described = await handle.describe()
        transitions = described.raw_description.workflow_execution_info.state_transition_count
        events = tasks = actions = 0
        batch = False  # the task's local-activity markers follow its completion
        async for event in handle.fetch_history_events():
            events += 1
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                tasks, batch = tasks + 1, False
            elif not batch and is_local_activity(event):
                actions, batch = actions + 1, True
            actions += event.event_type in BILLED
        rows.append((events, tasks, transitions, actions))
    if not rows:
        return {}
    return {name: statistics.median(r[i] for r in rows) for i, name in enumerate(COLUMNS)}
