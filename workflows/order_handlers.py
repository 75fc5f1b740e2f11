"""The order saga's state, and what may be asked of it while it runs: its status (a query),
a payment event (a signal from a webhook), a checkout's wait for the payment's answer, a
person's review of a held order, an amendment before pickup, a person's retry of the failed
undos or their settlement by hand (updates, each with a validator that refuses what may not
be asked)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.amend_state import AMEND_UPDATE, Amendment
    from workflows.checkout import (
        CHECKOUT_UPDATE,
        CheckoutAsk,
        check_same_request,
        payment_answered,
    )
    from workflows.order_amend import OrderAmendments
    from workflows.order_outbox import OrderOutbox
    from workflows.order_progress import OrderProgress
    from workflows.order_review import OrderReview
    from workflows.order_state import (
        MARK_RESOLVED_UPDATE,
        PAYMENT_EVENT_SIGNAL,
        RETRY_UNDOS_UPDATE,
        STATUS_QUERY,
        MarkResolved,
        PaymentEvent,
        RetryUndos,
        SagaState,
        SagaStatus,
    )
    from workflows.order_steps import OrderSteps
    from workflows.review_state import REVIEW_UPDATE, ReviewDecision
    from workflows.saga import Saga


class OrderHandlers:
    """The saga's handlers; `OrderSaga` (order_workflow.py) is the workflow that runs it."""

    def __init__(self) -> None:
        self._progress = OrderProgress()
        self._saga = Saga(
            on_undo=self._progress.undo_started,
            on_undone=self._progress.undone,
            on_failed=self._progress.undo_failed,
        )
        self._steps = OrderSteps(self._progress, self._saga)
        self._events = OrderOutbox()
        self._review = OrderReview(self._progress)
        self._amend = OrderAmendments(self._progress, self._steps)
        self._retrying = False
        self._expired = False
        self._settling_to: SagaState | None = None  # how it ends once a person settles it

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> SagaStatus:
        """Where the saga is and how each step went, answered while it runs."""
        return self._progress.status()

    @workflow.signal(name=PAYMENT_EVENT_SIGNAL)
    def payment_event(self, event: PaymentEvent) -> None:
        """Stripe reported a change to the payment (a webhook): a wait for the customer looks
        now. The event is a hint, never the truth: the saga reads the intent itself, so a
        duplicated, late or forged event changes nothing."""
        workflow.logger.info("payment event %s (%s)", event.type, event.event_id)
        self._progress.payment_events += 1

    @workflow.update(name=CHECKOUT_UPDATE)
    async def checkout(self, ask: CheckoutAsk) -> SagaStatus:
        """The order as it stands once its payment has an answer (workflows/checkout.py):
        what a checkout page shows the customer, without polling for it."""
        self._progress.checkouts += 1
        try:
            await workflow.wait_condition(lambda: payment_answered(self._progress))
        finally:
            self._progress.checkouts -= 1
        return self._progress.status()

    @checkout.validator
    def _same_request(self, ask: CheckoutAsk) -> None:
        check_same_request(ask)

    @workflow.update(name=REVIEW_UPDATE)
    def review(self, decision: ReviewDecision) -> SagaStatus:
        """A person approves or declines an order the risk rules held (AWAITING_REVIEW)."""
        self._review.decide(decision)
        return self._progress.status()

    @review.validator
    def _may_review(self, decision: ReviewDecision) -> None:
        self._review.check(decision)

    @workflow.update(name=AMEND_UPDATE)
    async def amend(self, amendment: Amendment) -> SagaStatus:
        """A new shipping address before pickup, one amendment at a time (order_amend.py)."""
        await self._amend.apply(amendment)
        return self._progress.status()

    @amend.validator
    def _may_amend(self, amendment: Amendment) -> None:
        self._amend.check(amendment)

    async def _answered(self) -> None:
        """Before the saga ends: a checkout still waiting gets its answer (the end) first."""
        await workflow.wait_condition(workflow.all_handlers_finished)

    @workflow.update(name=RETRY_UNDOS_UPDATE)
    async def retry_undos(self, request: RetryUndos | None = None) -> SagaStatus:
        """A person fixed the cause (the issuer, say): run the failed undos once more.
        (Clients of an earlier build send no argument.)"""
        self._progress.intervened("retry", request.by if request else None)
        self._retrying = True
        try:
            await self._saga.compensate(only=self._progress.open_undos())
        finally:
            self._retrying = False
        if self._progress.compensation_failures:
            self._progress.wait_for_person()  # failed again: still waiting
            return self._progress.status()
        return self._settled_status(self._settling_to)

    @retry_undos.validator
    def _may_retry(self, request: RetryUndos | None = None) -> None:
        self._progress.check_waiting(busy=self._retrying)

    @workflow.update(name=MARK_RESOLVED_UPDATE)
    def mark_resolved(self, request: MarkResolved) -> SagaStatus:
        """A person settled the failed undos by hand: record what they did; the saga ends."""
        self._progress.resolve(request.note, request.by)
        return self._settled_status(SagaState.RESOLVED)

    def _settled_status(self, end: SagaState | None) -> SagaStatus:
        """The status a person's settlement leads to: the saga ends `end` as soon as this
        update returns, so its caller is told that, not the waiting it leaves behind."""
        status = self._progress.status()
        if end is None:
            return status
        return status.model_copy(update={"status": end, "waiting_for_person": False})

    @mark_resolved.validator
    def _may_mark_resolved(self, request: MarkResolved) -> None:
        self._progress.check_waiting(busy=self._retrying)
