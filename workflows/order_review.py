"""Risk before money: the saga asks whether the order may go on (`assess_risk`, in its own
worker), and a held order waits AWAITING_REVIEW for a person's `review` update, declined and
undone when no one decides in time. Nothing has been authorized while it waits."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.inventory.contracts import ReservationResult
    from activities.risk.activities import ASSESS_RISK
    from activities.risk.contracts import AssessRiskInput
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import SagaState
    from workflows.order_steps import OrderSteps
    from workflows.review_state import ReviewDecision, ReviewView

STEP = "assess_risk"


class OrderReview:
    """The saga's side of a review: the wait, and the decision the update brings."""

    def __init__(self, progress: OrderProgress) -> None:
        self._progress = progress
        self._decision: ReviewDecision | None = None

    async def assess(
        self,
        steps: OrderSteps,
        order: OrderRequest,
        reservation: ReservationResult,
        owner: dict[str, str],
    ) -> None:
        """Pass, or wait for a person; a blocked customer, a decline or no decision in time
        fails the step (StepFailed), so the saga undoes the reservation."""
        money = f"{reservation.total} {reservation.currency.upper()}"
        check = AssessRiskInput(
            **owner,
            customer_id=order.customer_id,
            customer_email=str(order.customer_email) if order.customer_email else None,
            amount=reservation.total,
            currency=reservation.currency,
        )
        assessed = await steps.run(
            STEP, ASSESS_RISK, check, f"assess risk of {money}", last=False,
            deadline=order.step_deadline, local=True,
        )  # fmt: skip
        if assessed.verdict == "review":
            await self._wait(assessed.reasons, timedelta(seconds=assessed.review_within_seconds))
        self._progress.step_done(STEP)

    async def _wait(self, reasons: list[str], within: timedelta) -> None:
        progress = self._progress
        progress.review = ReviewView(reasons=reasons, decide_by=workflow.now() + within)
        progress.set_state(SagaState.AWAITING_REVIEW, f"held for review: {'; '.join(reasons)}")
        try:
            await workflow.wait_condition(
                lambda: self._decision is not None,
                timeout=within,
                timeout_summary="review deadline",
            )
        except TimeoutError:
            raise progress.step_gave_up(
                STEP, "ReviewTimedOut", f"no one reviewed the order within {within}"
            ) from None
        decision = self._decision
        assert decision is not None
        if decision.decision == "decline":
            who = decision.by or "a person"
            raise progress.step_gave_up(
                STEP, "ReviewDeclined", f"declined by {who}: {decision.reason}"
            )
        progress.set_state(SagaState.RUNNING, f"approved by {decision.by or 'a person'}")

    def check(self, decision: ReviewDecision) -> None:
        """Refuse a decision on an order that is not waiting for one (the update's validator)."""
        progress = self._progress
        if progress.state != SagaState.AWAITING_REVIEW or self._decision is not None:
            raise ApplicationError(
                f"order {progress.order_id} is not awaiting review (it is {progress.state})",
                type="NotAwaitingReview",
            )

    def decide(self, decision: ReviewDecision) -> None:
        """Record the person's decision; the waiting saga goes on (or undoes) from it."""
        progress = self._progress
        self.check(decision)  # a second decision in the same task as the first is refused
        self._decision = decision
        assert progress.review is not None
        progress.review = progress.review.model_copy(
            update={
                "decision": decision.decision,
                "reason": decision.reason,
                "by": decision.by,
                "decided_at": workflow.now(),
            }
        )
        progress.intervened(decision.decision, decision.by)
