"""What happens to an order, step by step, as its history records it.

Read with Temporal's long poll on the history, so a watcher needs no worker, sends no query
and polls nothing: each event arrives when the server writes it. A saga placed per service
records activity events; a colocated one records a local-activity marker per call that ended
(or failed and waits to retry), which carries the same facts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowHandle

from activities.notification.events import NOT_STEPS
from activities.queues import queue


class StepEvent(BaseModel):
    """One activity of the saga starting, finishing or failing."""

    activity: str
    phase: str  # scheduled, done, failed, timed out, cancel requested
    error_type: str | None = None
    message: str | None = None

    def line(self) -> str:
        """How a terminal shows it, named by the saga's step as `status` names it:
        `charge_payment: create_payment_intent done`, `undo reserve_inventory: ...`."""
        error = f": {self.error_type}: {self.message}" if self.error_type else ""
        step = STEP_OF.get(self.activity)
        named = self.activity if step in (None, self.activity) else f"{step}: {self.activity}"
        return f"{named} {self.phase}{error}"


# The saga's step each activity belongs to (its undos' too), as `status` lists the steps.
STEP_OF = {
    "create_payment_intent": "charge_payment",
    "check_charge": "charge_payment",
    "release_inventory": "undo reserve_inventory",
    "refund_payment": "undo charge_payment",
    "cancel_shipment": "undo create_shipment",
}


LOCAL_ACTIVITY_MARKER = "core_local_activity"


class LocalCall(BaseModel):
    """What a local-activity marker says of one call: which, its attempt, how it ended."""

    activity: str
    attempt: int
    failed: bool
    retrying: bool  # failed, and waits on a timer to try again
    error_type: str | None = None
    message: str | None = None


def local_call(event: HistoryEvent) -> LocalCall | None:
    """The local activity call a marker event records; None for any other event."""
    if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
        return None
    marker = event.marker_recorded_event_attributes
    if marker.marker_name != LOCAL_ACTIVITY_MARKER or not marker.details["data"].payloads:
        return None
    data = json.loads(marker.details["data"].payloads[0].data)
    failed = marker.HasField("failure")
    cause = marker.failure  # the activity's own failure, unless wrapped as a remote one's is
    if cause.HasField("activity_failure_info") and cause.HasField("cause"):
        cause = cause.cause
    return LocalCall(
        activity=data["activity_type"],
        attempt=data["attempt"],
        failed=failed,
        retrying=bool(data.get("backoff")),
        error_type=(cause.application_failure_info.type or "error") if failed else None,
        message=cause.message if failed else None,
    )


async def step_events(handle: WorkflowHandle[Any, Any]) -> AsyncIterator[StepEvent]:
    """The saga's steps' activity events as they happen, until it closes (its hand-over
    of events and mails is not a step)."""
    async for step in activity_events(handle):
        if step.activity not in NOT_STEPS:
            yield step


async def activity_events(handle: WorkflowHandle[Any, Any]) -> AsyncIterator[StepEvent]:
    """Every activity event of the saga as it happens, until it closes."""
    names: dict[int, str] = {}
    async for event in handle.fetch_history_events(wait_new_event=True):
        kind = event.event_type
        call = local_call(event)
        if call is not None:
            phase = "retrying" if call.retrying else "failed" if call.failed else "done"
            yield StepEvent(
                activity=call.activity,
                phase=phase,
                error_type=call.error_type,
                message=call.message,
            )
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            names[event.event_id] = name
            yield StepEvent(activity=name, phase="scheduled")
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            yield StepEvent(activity=names.get(scheduled, "?"), phase="done")
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            attributes = event.activity_task_failed_event_attributes
            failure = attributes.failure
            yield StepEvent(
                activity=names.get(attributes.scheduled_event_id, "?"),
                phase="failed",
                error_type=failure.application_failure_info.type or "error",
                message=failure.message,
            )
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            scheduled = event.activity_task_timed_out_event_attributes.scheduled_event_id
            yield StepEvent(activity=names.get(scheduled, "?"), phase="timed out")
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            yield StepEvent(activity="order", phase="cancel requested")


async def worker_polls(client: Client, queue_prefix: str) -> bool:
    """Whether any worker has lately polled the queue sagas run on (the server remembers
    pollers for a few minutes)."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=queue(queue_prefix, "orders")),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return len(response.pollers) > 0
