"""What one order's workflow costs the engine, read off a sample of its histories: events,
workflow tasks, state transitions (describe's `stateTransitionCount`, the unit Temporal's own
benchmark tool counts in) and the actions Temporal Cloud would bill for it, counted from the
history as its pricing page counts them (a start, each activity, timer, signal sent or taken,
child started, search-attribute or memo write, update, and one per batch of local
activities a workflow task ran)."""

from __future__ import annotations

import statistics
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory

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


def tally(history: list[HistoryEvent]) -> tuple[int, int, int]:
    """Events, workflow tasks and billed actions of one history."""
    events = tasks = actions = 0
    batch = False  # the task's local-activity markers follow its completion
    for event in history:
        events += 1
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            tasks, batch = tasks + 1, False
        elif not batch and is_local_activity(event):
            actions, batch = actions + 1, True
        actions += event.event_type in BILLED
    return events, tasks, actions


async def order_cost(client: Client, task_queue: str, sample: int = 5) -> dict[str, float]:
    """Medians over up to `sample` closed workflows of the queue."""
    rows: list[tuple[int, int, int, int]] = []
    query = f'TaskQueue = "{task_queue}" AND ExecutionStatus != "Running"'
    async for execution in client.list_workflows(query, limit=sample):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        described = await handle.describe()
        transitions = described.raw_description.workflow_execution_info.state_transition_count
        events, tasks, actions = tally([e async for e in handle.fetch_history_events()])
        rows.append((events, tasks, transitions, actions))
    if not rows:
        return {}
    return {name: statistics.median(r[i] for r in rows) for i, name in enumerate(COLUMNS)}


def main() -> None:
    """`python -m benchmarks.history_cost`: the recorded outcomes' cost (every order there has
    a subscriber to every event and the customer's address), per placement."""
    folder = Path(__file__).parent.parent / "tests" / "workflows" / "histories"
    print("| outcome | per service: events / tasks / actions | colocated |")
    print("| --- | --- | --- |")
    for path in sorted(folder.glob("*.per-service.json")):
        outcome = path.name.removesuffix(".per-service.json")
        cells = []
        for placement in ("per-service", "colocated"):
            text = (folder / f"{outcome}.{placement}.json").read_text()
            history = WorkflowHistory.from_json("recorded", text).events
            cells.append(" / ".join(str(n) for n in tally(list(history))))
        print(f"| {outcome} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
