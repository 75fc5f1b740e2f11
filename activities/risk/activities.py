"""The risk assessment before the money moves: a blocked customer is declined, an order over
its customer's spending limit (or any order while the hold switch is on) waits for a person.
The saga runs it in its own worker (a local activity: one marker, no workflow task)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.activity_call import ActivityCall
from activities.database import transaction
from activities.failures import reports_failures
from activities.retries import STEP_DEADLINE, step_retry
from activities.risk import repository
from activities.risk.contracts import AssessRiskInput, RiskAssessed
from activities.risk.rules import RiskBlocked, reasons_to_review
from activities.timestamps import utcnow

# How long a held order waits for a person's decision before it is declined and undone.
REVIEW_WITHIN = timedelta(hours=4)


class RiskActivities:
    def __init__(self, engine: Engine, review_within: timedelta = REVIEW_WITHIN) -> None:
        self._engine = engine
        self._review_within = review_within

    @activity.defn(name="assess_risk")
    @reports_failures
    def assess_risk(self, request: AssessRiskInput) -> RiskAssessed:
        """Judge the order once: a re-run (a retry, a replayed worker) reads the verdict back,
        so the rules changing in between cannot change an order already judged (the common
        case, a first run, costs one read of the rules and one insert)."""
        with transaction(self._engine) as session:
            repository.lock_customer(session=session, customer_id=request.customer_id)
            verdict, reasons = self._judge(session, request)
            if not repository.record(session=session, row=self._row(request, verdict, reasons)):
                verdict, told = repository.verdict_of(session=session, order_id=request.order_id)
                reasons = told.splitlines()
        if verdict == "block":
            raise RiskBlocked("; ".join(reasons))
        within = int(self._review_within.total_seconds()) if verdict == "review" else 0
        return RiskAssessed(
            order_id=request.order_id,
            saga_id=request.saga_id,
            saga_run=request.saga_run,
            verdict="review" if verdict == "review" else "pass",
            reasons=reasons,
            review_within_seconds=within,
        )

    def _judge(self, session: Session, request: AssessRiskInput) -> tuple[str, list[str]]:
        """The verdict on the order by the rules as they stand: pass, review or block."""
        rules = repository.rules_for(
            session=session,
            order_id=request.order_id,
            customer_id=request.customer_id,
            email=request.customer_email,
            currency=request.currency,
            now=utcnow(),
        )
        try:
            reasons = reasons_to_review(rules, request.amount, request.currency)
        except RiskBlocked as blocked:
            return "block", [str(blocked)]
        return ("review" if reasons else "pass"), reasons

    @staticmethod
    def _row(request: AssessRiskInput, verdict: str, reasons: list[str]) -> dict[str, object]:
        return {
            "order_id": request.order_id,
            "saga_id": request.saga_id,
            "customer_id": request.customer_id,
            "amount": request.amount,
            "currency": request.currency,
            "verdict": verdict,
            "reasons": "\n".join(reasons),
            "assessed_at": utcnow(),
        }


ASSESS_RISK = ActivityCall(
    RiskActivities.assess_risk,
    service="orders",  # always local: in the saga's own worker
    start_to_close_timeout=timedelta(seconds=10),
    schedule_to_close_timeout=STEP_DEADLINE,
    retry_policy=step_retry(RiskBlocked),
)
