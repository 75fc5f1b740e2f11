"""What a person does with a saga that could not undo everything: it waits for them, refuses
a resolution it is not waiting for, and records who asked for what (a cancel, a retry of the
undos, a manual fix) in its status, result and history."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.order_state import CompensationFailure, Intervention, Resolution, SagaState


class WaitsForPerson:
    """The person's side of `OrderProgress` (which holds the state these methods read)."""

    order_id: str
    state: SagaState
    waiting_for_person: bool
    resolution: Resolution | None
    interventions: list[Intervention]
    compensation_failures: list[CompensationFailure]

    def set_state(self, state: SagaState, details: str | None = None) -> None:
        """Move the saga to `state` (`OrderProgress` publishes it)."""
        raise NotImplementedError

    def wait_for_person(self) -> None:
        """Say, everywhere an operator looks, that a person must settle the failed undos."""
        self.waiting_for_person = True
        names = ", ".join(f.activity for f in self.compensation_failures)
        self.set_state(SagaState.COMPENSATION_FAILED, f"waiting for a person: {names} failed")
        workflow.logger.error(
            "order %s waits for a person: %s could not be undone; `order-saga resolve %s "
            "--retry` once fixed, or `--mark-resolved --note ...` after a manual fix",
            self.order_id,
            names,
            self.order_id,
        )

    def check_waiting(self, *, busy: bool) -> None:
        """Refuse a resolution for a saga that is not waiting for one (an update's check)."""
        if not self.waiting_for_person or self.resolution is not None:
            raise ApplicationError(
                f"order {self.order_id} is not waiting for a person (it is {self.state})",
                type="NotWaitingForPerson",
            )
        if busy:
            raise ApplicationError(
                f"order {self.order_id}: a retry of its undos is already running",
                type="RetryRunning",
            )

    def resolve(self, note: str, by: str | None) -> None:
        """A person settled the failed undos by hand."""
        self.resolution = Resolution(note=note, resolved_at=workflow.now(), by=by)
        self.intervened("mark-resolved", by)

    def retries_asked(self) -> int:
        """How many times a person asked to retry the failed undos."""
        return sum(1 for i in self.interventions if i.action == "retry")

    def intervened(self, action: str, by: str | None) -> None:
        """Record who asked the saga for what, and when."""
        self.interventions.append(Intervention(action=action, by=by, at=workflow.now()))
        workflow.logger.info("order %s: %s asked by %s", self.order_id, action, by or "-")
