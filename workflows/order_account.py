"""What the saga tells of an order, as its steps and undos told it: the facts a storefront
shows and the money as it happened (`learn`), the `status` query's answer, and the result of
an order that did not ship."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workflows.money import Money, Undone, payment_after
from workflows.order_state import (
    OUTCOME_STATES,
    CompensationFailure,
    Intervention,
    OrderFacts,
    OrderResult,
    Resolution,
    SagaState,
    SagaStatus,
    StepState,
    StepStatus,
)
from workflows.parcel_state import Parcel
from workflows.review_state import ReviewView

# What a step or an undo returns that a storefront shows (the text ones; the total is a
# Decimal), kept as the saga learns it.
LEARNED = tuple(
    name for name in OrderFacts.model_fields if name not in ("order_id", "total", "parcels")
)


class StepFailed(Exception):
    """A forward step failed for good: the saga compensates."""

    def __init__(
        self, step: str, error_type: str, message: str, details: tuple[object, ...] = ()
    ) -> None:
        super().__init__(message)
        self.step, self.error_type, self.message = step, error_type, message
        self.details = details  # the activity's failure details (the owner, when refused)


class OrderAccount:
    """The telling side of `OrderProgress` (which keeps the state these methods read)."""

    order_id: str
    state: SagaState
    steps: dict[str, StepStatus]
    compensations_run: list[str]
    compensations_skipped: list[str]
    undo_outcomes: list[Undone]
    compensation_failures: list[CompensationFailure]
    payment: Money | None
    cancel_reason: str | None
    authentication_url: str | None
    waiting_for_person: bool
    resolution: Resolution | None
    interventions: list[Intervention]
    review: ReviewView | None
    parcels: list[Parcel]
    _known: dict[str, str]
    _total: Decimal | None

    def learn(self, result: object) -> None:
        """Keep what a step or an undo returned that a storefront shows (the total, the
        payment's, PaymentIntent's and refund's ids, the shipment and its tracking), for the
        status and the result of any outcome."""
        for key in LEARNED:
            value = getattr(result, key, None)
            if isinstance(value, str):
                self._known[key] = value
        total = getattr(result, "total", None)
        if isinstance(total, Decimal):
            self._total = total
        self.payment = payment_after(result, self.payment)

    def note(self, fact: str, value: str) -> None:
        """Keep a fact the saga worked out itself (when the capture is due), as `learn`."""
        assert fact in LEARNED, fact
        self._known[fact] = value

    def known(self) -> dict[str, Any]:
        """What the saga learned so far, as status and result fields."""
        parcels = [parcel.model_copy(deep=True) for parcel in self.parcels]
        return {"total": self._total, "payment": self.payment, "parcels": parcels, **self._known}

    def result(self, failure: StepFailed) -> OrderResult:
        """The result of an order that did not ship: why, what was undone, what a person
        settled, and the money's ids."""
        return OrderResult(
            order_id=self.order_id,
            status=self.state,
            failed_step=failure.step or None,
            error_type=failure.error_type,
            error_message=failure.message,
            resolution=self.resolution,
            interventions=list(self.interventions),
            compensations_run=list(self.compensations_run),
            compensations_skipped=list(self.compensations_skipped),
            undone=list(self.undo_outcomes),
            compensation_failures=list(self.compensation_failures),
            **self.known(),
        )

    def status(self) -> SagaStatus:
        """A copy of the bookkeeping, for the `status` query."""
        return SagaStatus(
            order_id=self.order_id,
            status=self.state,
            # An ended order lists the steps it took, none that will never run.
            steps=[
                s.model_copy()
                for s in self.steps.values()
                if s.state != StepState.PENDING or self.state not in OUTCOME_STATES
            ],
            compensations_run=list(self.compensations_run),
            compensations_skipped=list(self.compensations_skipped),
            undone=list(self.undo_outcomes),
            compensation_failures=list(self.compensation_failures),
            cancel_reason=self.cancel_reason,
            authentication_url=self.authentication_url,
            waiting_for_person=self.waiting_for_person and self.resolution is None,
            resolution=self.resolution,
            interventions=list(self.interventions),
            review=self.review,
            **self.known(),
        )
