"""A compensation stack for saga workflows: register each undo before its step, run them back.

Temporal gives the durable part (every call and its outcome is in the history); this helper
gives the bookkeeping a saga needs on top: what to undo, in which order, and what could
not be undone. Another workflow uses it like this::

    saga = Saga()
    saga.register("book_hotel", "cancel_hotel", lambda: CANCEL_HOTEL.execute(trip, summary="..."))
    try:
        hotel = await BOOK_HOTEL.execute(trip, summary="book hotel")
        saga.register("book_hotel", "cancel_hotel", lambda: cancel(hotel.id))  # knows more now
        await BOOK_FLIGHT.execute(trip, summary="book flight")
    except ActivityError:
        failures = await saga.compensate()  # newest first, to the end, even if cancelled
        ...

Register an undo *before* its step: a step that times out after taking effect must still be
undone, so every undo has to be idempotent and safe to run when its step never happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

Undo = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Compensation:
    """The undo of `step`, named (usually after its activity) for status and history readers."""

    step: str
    name: str
    run: Undo
    description: str = ""


class Saga:
    """The undos registered so far, newest last. Hooks let the caller keep its own status:
    `on_undo` before an undo runs, `on_undone` with what it returned, `on_failed` with why."""

    def __init__(
        self,
        *,
        on_undo: Callable[[Compensation], None] | None = None,
        on_undone: Callable[[Compensation, object], None] | None = None,
        on_failed: Callable[[Compensation, FailureError], None] | None = None,
    ) -> None:
        self._compensations: list[Compensation] = []
        self._on_undo = on_undo
        self._on_undone = on_undone
        self._on_failed = on_failed

    @property
    def compensations(self) -> list[Compensation]:
        """What `compensate` would undo, oldest first."""
        return list(self._compensations)

    def register(self, step: str, name: str, undo: Undo, description: str = "") -> None:
        """Add the undo of `step`; registering `step` again replaces its undo in place."""
        compensation = Compensation(step, name, undo, description)
        for index, existing in enumerate(self._compensations):
            if existing.step == step:
                self._compensations[index] = compensation
                return
        self._compensations.append(compensation)

    async def compensate(
        self, only: list[Compensation] | None = None
    ) -> list[tuple[Compensation, FailureError]]:
        """Run the undos (or `only` these, as when a person retries failed ones) newest
        first, each once, to the end: a cancel of the workflow that arrives meanwhile changes
        nothing. An undo that fails (after its own retry policy gave up) is collected and the
        older undos still run; the failures are returned."""
        task = asyncio.create_task(self._run_all(self._compensations if only is None else only))
        while not task.done():
            try:
                await workflow.wait([task])
            except asyncio.CancelledError:
                continue  # the workflow was cancelled: the undo finishes all the same
        return task.result()

    async def _run_all(
        self, compensations: list[Compensation]
    ) -> list[tuple[Compensation, FailureError]]:
        failures: list[tuple[Compensation, FailureError]] = []
        for compensation in reversed(compensations):
            if self._on_undo:
                self._on_undo(compensation)
            try:
                result = await compensation.run()
            except FailureError as err:  # an activity or child workflow that gave up
                failures.append((compensation, err))
                if self._on_failed:
                    self._on_failed(compensation, err)
                continue
            if self._on_undone:
                self._on_undone(compensation, result)
        return failures


def describe(err: FailureError) -> tuple[str, str]:
    """The error type and message a person should read for a failed call."""
    cause = err.cause if isinstance(err, ActivityError) else err
    if isinstance(cause, TemporalTimeoutError) and isinstance(cause.cause, ApplicationError):
        cause = cause.cause  # a deadline ended the retries: why they failed says more
    if isinstance(cause, ApplicationError):
        return cause.type or "ApplicationError", cause.message
    if isinstance(cause, TemporalTimeoutError):
        return "Timeout", f"activity {cause.type.name if cause.type else ''} timeout".strip()
    if isinstance(cause, CancelledError):
        return "Cancelled", "activity cancelled"
    return type(cause).__name__ if cause else "ActivityError", str(cause or err)
