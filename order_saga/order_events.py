"""What happens to an order, step by step, as its history records it.

Read with Temporal's long poll on the history, so a watcher needs no worker, sends no query
and polls nothing: each event arrives when the server writes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowHandle

from activities.queues import queue


class StepEvent(BaseModel):
    """One activity of the saga starting, finishing or failing."""

    activity: str
    phase: str  # scheduled, done, failed, timed out, cancel requested
    error_type: str | None = None
    message: str | None = None

    def line(self) -> str:
        """How a terminal shows it."""
        error = f": {self.error_type}: {self.message}" if self.error_type else ""
        return f"{self.activity} {self.phase}{error}"


async def step_events(handle: WorkflowHandle[Any, Any]) -> AsyncIterator[StepEvent]:
    """The saga's activity events as they happen, until it closes."""
    names: dict[int, str] = {}
    async for event in handle.fetch_history_events(wait_new_event=True):
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
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
