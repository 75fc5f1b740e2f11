"""What a saga did, read from its history as an operator would: the activities it called,
their attempts and events, a cancel request."""

from __future__ import annotations

from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from activities.notification.events import NOT_STEPS
from order_saga.order_events import local_call


async def scheduled_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The steps and undos, by activity name, in the order the workflow called them, read
    from its history (local ones, colocated, from their markers: one per call, not per
    retry); the saga's hand-over of its events and mails is left out."""
    names = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names.append(event.activity_task_scheduled_event_attributes.activity_type.name)
        elif (call := local_call(event)) is not None and not call.retrying:
            names.append(call.activity)
    return [name for name in names if name not in NOT_STEPS]


async def activity_attempts(handle: WorkflowHandle[Any, Any], name: str) -> int:
    """Attempts of the named activity that ended (started events and local-activity markers
    carry the attempt number)."""
    scheduled: dict[int, str] = {}
    attempts = 0
    async for event in handle.fetch_history_events():
        if (call := local_call(event)) is not None:
            if call.activity == name:
                attempts = max(attempts, call.attempt)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attrs.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs2 = event.activity_task_started_event_attributes
            if scheduled.get(attrs2.scheduled_event_id) == name:
                attempts = max(attempts, attrs2.attempt)
    return attempts


async def activity_events(handle: WorkflowHandle[Any, Any]) -> list[tuple[str, str]]:
    """(event, activity) pairs in history order: scheduled, completed, failed, cancelled..."""
    names: dict[int, str] = {}
    events = []
    async for event in handle.fetch_history_events():
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_ACTIVITY_TASK_")
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
            events.append((kind, names[event.event_id]))
        elif kind != EventType.Name(event.event_type):
            attributes = getattr(event, f"activity_task_{kind.lower()}_event_attributes")
            events.append((kind, names.get(attributes.scheduled_event_id, "?")))
    return events


async def cancel_requested(handle: WorkflowHandle[Any, Any]) -> bool:
    """Whether the cancel request has reached the saga's history."""
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            return True
    return False
