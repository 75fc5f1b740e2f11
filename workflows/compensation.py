"""What the saga needs to undo its steps: the registered undos and how failures read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, TimeoutError


@dataclass(frozen=True)
class Compensation:
    """The activity that undoes `step`, with the argument and summary it needs."""

    step: str
    activity: str
    arg: Any
    summary: str


class StepFailed(Exception):
    def __init__(self, step: str, error_type: str, message: str) -> None:
        super().__init__(message)
        self.step, self.error_type, self.message = step, error_type, message


def describe(err: ActivityError) -> tuple[str, str]:
    """The error type and message a person should read for a failed activity."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return cause.type or "ApplicationError", cause.message
    if isinstance(cause, TimeoutError):
        return "Timeout", f"activity {cause.type.name if cause.type else ''} timeout".strip()
    if isinstance(cause, CancelledError):
        return "Cancelled", "activity cancelled"
    return type(cause).__name__ if cause else "ActivityError", str(cause or err)
