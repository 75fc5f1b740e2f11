"""The order saga's bookkeeping, apart from its forward path: each step's and undo's state,
and what the Web UI and metrics show (search attributes, details, counters). What it tells
(status, result) is `order_account.py`; what a person does with it, `order_person.py`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

from activities.payment.activities import REFUND_PAYMENT
from workflows import saga_metrics
from workflows.markdown import inert
from workflows.money import Money, Undone, payment_told, told, undo_did
from workflows.order_account import OrderAccount, StepFailed
from workflows.order_person import WaitsForPerson
from workflows.order_request import OrderRequest
from workflows.order_state import (
    STEPS,
    CompensationFailure,
    Intervention,
    Resolution,
    SagaState,
    StepState,
    StepStatus,
)
from workflows.parcel_state import Parcel
from workflows.review_state import ReviewView
from workflows.saga import Compensation, describe
from workflows.search_attributes import ORDER_STATUS, at_start


class OrderProgress(OrderAccount, WaitsForPerson):
    """Where the saga is; every change is visible in the query, the details and `OrderStatus`."""

    def __init__(self) -> None:
        self.order_id = ""
        self.state = SagaState.RUNNING
        self.steps = {name: StepStatus(name=name) for name in STEPS}
        self.compensations_run: list[str] = []
        self.compensations_skipped: list[str] = []
        self.undo_outcomes: list[Undone] = []  # what each undo did, as run
        self.payment: Money | None = None  # where the money stands, as it happened
        self.authentication_url: str | None = None
        self.payment_events = 0  # webhooks heard: each wakes a wait for the customer
        self.checkouts = 0  # checkout updates waiting for the payment's answer
        self.compensation_failures: list[CompensationFailure] = []
        self.cancel_reason: str | None = None
        self.waiting_for_person = False
        self.resolution: Resolution | None = None
        self.interventions: list[Intervention] = []
        self.review: ReviewView | None = None  # held by the risk rules
        self.parcels: list[Parcel] = []  # an order from more than one warehouse
        self._open_undos: dict[str, Compensation] = {}  # failed for good, not yet settled
        self._published: SagaState | None = None
        self._details = ""  # what the Web UI's current details say, before the money
        self._failed_steps: set[str] = set()
        self._known: dict[str, str] = {}  # what a storefront shows, as the steps learn it
        self.done_at: dict[str, datetime] = {}  # when each step succeeded, on the saga's clock
        self._total: Decimal | None = None

    def begin(self, order: OrderRequest) -> None:
        """Make the saga findable by customer and total, and count it. Our clients set the
        attributes at start (RUNNING among them): only what another client's start lacked is
        written here, so an order costs two visibility writes (its start and its end)."""
        self.order_id = order.order_id
        have = workflow.info().typed_search_attributes
        missing = [
            pair.key.value_set(pair.value)
            for pair in at_start(order.customer_id, float(order.total))
            if have.get(pair.key) != pair.value  # started by a client that did not set it
        ]
        if missing:
            workflow.upsert_search_attributes(missing)
        self._published = SagaState.RUNNING
        self.set_state(SagaState.RUNNING, "reserving inventory")
        saga_metrics.count(saga_metrics.STARTED)

    def set_state(self, state: SagaState, details: str | None = None) -> None:
        """Move the saga to `state`; `OrderStatus` is written only when it changes."""
        if state != self._published:
            workflow.upsert_search_attributes([ORDER_STATUS.value_set(str(state))])
            self._published = state
        self.state = state
        self._details = details or state.lower().replace("_", " ")
        # Plain text (a cancel's reason is the caller's), so it renders as typed.
        workflow.set_current_details(inert(self._details))

    def step_running(self, step: str) -> None:
        """A step's activity was scheduled."""
        self.steps[step].state = StepState.RUNNING

    def step_done(self, step: str) -> None:
        """A step's last activity succeeded (when, on the saga's clock: the capture's
        deadline counts from the charge's)."""
        self.steps[step].state = StepState.DONE
        self.done_at[step] = workflow.now()

    def await_authentication(self, url: str | None, money: str) -> None:
        """The bank asks the customer to authenticate the payment: say where, everywhere."""
        self.steps["charge_payment"].state = StepState.RUNNING
        self.authentication_url = url
        self.set_state(
            SagaState.AWAITING_AUTHENTICATION, f"waiting for the customer to authenticate {money}"
        )

    def authenticated(self) -> None:
        """The customer authenticated: the payment is authorized."""
        self.authentication_url = None
        self.steps["charge_payment"].state = StepState.DONE
        self.set_state(SagaState.RUNNING, "authenticated")

    def step_gave_up(
        self, step: str, error_type: str, message: str, details: tuple[object, ...] = ()
    ) -> StepFailed:
        """Record why a step failed for good, by its activity (`step_failed`) or the saga (the
        customer never authenticated); the caller raises what this returns."""
        self.authentication_url = None
        status = self.steps[step]
        status.state, status.error_type, status.error_message = (
            StepState.FAILED,
            error_type,
            message,
        )
        self._failed_steps.add(step)
        saga_metrics.count(
            saga_metrics.STEP_FAILURES, step=step, error_type=saga_metrics.error_label(error_type)
        )
        workflow.logger.warning("step %s failed: %s", step, message)
        return StepFailed(step, error_type, message, details)

    def step_went_on(self, step: str) -> None:
        """A step that failed in part goes on (one parcel could not be booked, others can)."""
        self._failed_steps.discard(step)
        status = self.steps[step]  # the same object: a wait on it still hears it
        status.state, status.error_type, status.error_message = StepState.RUNNING, None, None

    def step_failed(self, step: str, err: FailureError) -> StepFailed:
        """An activity of a step failed for good: recorded as `step_gave_up` records it."""
        cause = err.cause if isinstance(err, ActivityError) else err
        details = tuple(cause.details) if isinstance(cause, ApplicationError) else ()
        return self.step_gave_up(step, *describe(err), details)

    def undo_started(self, undo: Compensation) -> None:
        """The saga started undoing a step."""
        if self.state != SagaState.CANCELLING:
            self.set_state(SagaState.COMPENSATING)
        self.steps[undo.step].state = StepState.COMPENSATING
        workflow.set_current_details(inert(f"undoing {undo.step}: {undo.description}"))

    def undone(self, undo: Compensation, result: object) -> None:
        """An undo succeeded; the failed step keeps FAILED (and its error) to say why. An
        undo whose step had taken no effect (a declined card's refund) is listed as skipped."""
        failed = undo.step in self._failed_steps
        self.steps[undo.step].state = StepState.FAILED if failed else StepState.COMPENSATED
        did = undo_did(undo.name, result)
        self.undo_outcomes.append(Undone(undo=undo.name, did=did))
        if did in (Money.VOIDED, Money.REFUNDED):
            self.payment = Money(did)
        if getattr(result, "took_effect", True):
            self.compensations_run.append(undo.name)
        elif undo.name not in self.compensations_skipped:
            self.compensations_skipped.append(undo.name)
        if self._open_undos.pop(undo.name, None):  # a person's retry went through
            self.compensation_failures = [
                f for f in self.compensation_failures if f.activity != undo.name
            ]
        self.learn(result)

    def undo_failed(self, undo: Compensation, err: FailureError) -> None:
        """An undo that no retry can help: reported for a person to settle."""
        error_type, message = describe(err)
        workflow.logger.error("%s failed: %s", undo.name, message)
        self.compensation_failures = [
            f for f in self.compensation_failures if f.activity != undo.name
        ] + [CompensationFailure(activity=undo.name, error_type=error_type, message=message)]
        self._open_undos[undo.name] = undo
        if self.payment == Money.CAPTURED and undo.name == REFUND_PAYMENT.name:
            self.payment = Money.REFUND_FAILED
        saga_metrics.count(saga_metrics.COMPENSATION_FAILURES, undo=undo.name)
        step = self.steps[undo.step]
        step.state = StepState.COMPENSATION_FAILED
        step.error_type, step.error_message = error_type, message

    def open_undos(self) -> list[Compensation]:
        """The undos that failed for good and are not settled, oldest first."""
        return list(self._open_undos.values())[::-1]

    def finished(self) -> None:
        """Count the saga's outcome, once it has one, and say in the Web UI what became of
        the money and what was undone."""
        saga_metrics.count(saga_metrics.FINISHED, outcome=self.state.lower())
        currency = self._known.get("currency")
        told_here = [payment_told(self.payment, self._total, currency)]
        if self.undo_outcomes:
            told_here.append(f"undone: {told(self.undo_outcomes, self._total, currency)}")
        workflow.set_current_details(inert("; ".join([self._details, *told_here])))
