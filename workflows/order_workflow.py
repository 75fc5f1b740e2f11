"""The order saga: reserve, charge, ship; when a step fails or the order is cancelled, undo
the done ones newest first; then tell the customer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

# The saga's own modules (forward path, progress, steps, state, the saga helper) are passed
# through the sandbox, so a run does not import them (and the activity modules they name) anew.
# What the sandbox would have caught in them, a clock, randomness, I/O or the environment, the
# lint catches instead: ruff's TID251 bans in pyproject.toml apply to everything in workflows/.
with workflow.unsafe.imports_passed_through():
    from activities.notification.contracts import OrderMail
    from activities.notification.events import OrderEventType
    from workflows.customer_mail import tell_customer
    from workflows.order_account import StepFailed
    from workflows.order_event_stream import OrderEventStream
    from workflows.order_forward import run_forward
    from workflows.order_mails import confirmed_mail, delayed_mail, undone_mail
    from workflows.order_outcome import ORDER_TAKEN, compensated_failure
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import (
        MARK_RESOLVED_UPDATE,
        PAYMENT_EVENT_SIGNAL,
        RETRY_UNDOS_UPDATE,
        STATUS_QUERY,
        WORKFLOW_TYPE,
        MarkResolved,
        OrderResult,
        PaymentEvent,
        RetryUndos,
        SagaState,
        SagaStatus,
        StepState,
        cancel_request_of,
    )
    from workflows.order_steps import OrderSteps
    from workflows.placement import runs_colocated
    from workflows.retired_patches import (
        FAILED_WHEN_COMPENSATED,
        FAILED_WHEN_RESOLVED,
        MAIL_WHILE_WAITING,
        WAIT_FOR_PERSON,
        passed,
    )
    from workflows.saga import Saga


# A step of these failing is a payment that failed (an event for other services).
PAYMENT_STEPS = frozenset({"charge_payment", "capture_payment"})
# The event each end of an order that did not ship is announced with.
ENDED: dict[SagaState, OrderEventType] = {
    SagaState.COMPENSATED: "order.compensated",
    SagaState.CANCELLED: "order.cancelled",
    SagaState.EXPIRED: "order.expired",
    SagaState.RESOLVED: "order.resolved",
}


# An input that cannot be decoded (sent by another client) fails the run, naming the field,
# instead of failing its workflow task over and over.
@workflow.defn(name=WORKFLOW_TYPE, failure_exception_types=[ValidationError])
class OrderSaga:
    def __init__(self) -> None:
        self._progress = OrderProgress()
        self._saga = Saga(
            on_undo=self._progress.undo_started,
            on_undone=self._progress.undone,
            on_failed=self._progress.undo_failed,
        )
        self._steps = OrderSteps(self._progress, self._saga)
        self._events = OrderEventStream()
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

    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        """Run the order forward; undo it on a step failure, a cancel or its deadline."""
        self._steps.local = runs_colocated()
        own_id = workflow.info().workflow_id
        if own_id != order.workflow_id:  # one order, one saga: another id would undo its work
            raise ApplicationError(
                f"order {order.order_id} runs only as workflow {order.workflow_id}, not {own_id}",
                type="WrongWorkflowId",
                non_retryable=True,
            )
        progress = self._progress
        progress.begin(order)
        await self._events.open(order.order_id, deadline=order.step_deadline)
        try:
            result = await self._forward_within_deadline(order)
        except StepFailed as failure:
            if failure.error_type == ORDER_TAKEN:
                await self._events.close()
                raise self._refused(failure) from None
            if failure.step in PAYMENT_STEPS:
                await self._events.emit(
                    "payment.failed", step=failure.step, error_type=failure.error_type
                )
            return await self._undo_and_end(order, SagaState.COMPENSATED, failure)
        except asyncio.CancelledError:
            sent = workflow.cancellation_reason()
            if sent is None and not self._expired:
                raise  # not a cancel of the order (e.g. the worker evicting the run)
            if sent is not None:
                progress.cancel_reason, by = cancel_request_of(sent)
                progress.intervened("cancel", by)
            if self._expired:
                why = f"its deadline ({order.deadline_seconds} s) passed before shipment"
                expired = StepFailed("", "DeadlineExpired", f"order {why}")
                return await self._undo_and_end(
                    order, SagaState.EXPIRED, expired, f"expired: {why}"
                )
            details = f"cancelled: {progress.cancel_reason or '-'}"
            cancelled = StepFailed("", "Cancelled", details)
            return await self._undo_and_end(order, SagaState.CANCELLED, cancelled, details)
        progress.set_state(SagaState.COMPLETED, f"handed to the carrier: {result.tracking_number}")
        progress.finished()
        await self._events.emit("order.completed", **result.model_dump(mode="json"))
        await self._events.close()
        await self._tell(order, confirmed_mail, result)
        return result

    async def _tell(
        self,
        order: OrderRequest,
        mail: Callable[[OrderRequest, OrderResult], OrderMail],
        result: OrderResult,
    ) -> None:
        """Mail the customer about how the order ended, if the order has their address (no
        order before the address existed has one, so their histories replay unchanged)."""
        if order.customer_email is not None:
            await tell_customer(mail(order, result))

    async def _undo_and_end(
        self, order: OrderRequest, end: SagaState, why: StepFailed, details: str | None = None
    ) -> OrderResult:
        """The one way an order that did not ship ends, whatever stopped it (a failed step, a
        cancel, the deadline): undo what was done, newest first, settle (a failed undo waits
        for a person), then end as `end`: a cancelled order is cancelled; any other that did
        not ship (compensated, expired, settled by a person) fails the workflow carrying its
        result (red in the Web UI's list)."""
        progress = self._progress
        if details is not None:  # a cancel or the deadline: say so while the undos run
            undoing = SagaState.CANCELLING if end == SagaState.CANCELLED else SagaState.COMPENSATING
            progress.set_state(undoing, details)
        await self._saga.compensate()
        state = await self._settle(order, end, why, details)
        result = progress.result(why)
        await self._events.emit(ENDED[state], **result.model_dump(mode="json"))
        await self._events.close()
        await self._tell(order, undone_mail, result)
        if state == SagaState.RESOLVED:
            passed(FAILED_WHEN_RESOLVED)
        elif end == SagaState.CANCELLED:
            raise asyncio.CancelledError  # the workflow ends cancelled, as it was asked
        elif end == SagaState.COMPENSATED:
            passed(FAILED_WHEN_COMPENSATED)
        raise compensated_failure(result) from None

    def _refused(self, failure: StepFailed) -> ApplicationError:
        """Another run owns the order (a client started its id again): this run changed
        nothing, so it undoes nothing, and ends saying whose order it is."""
        self._progress.set_state(SagaState.REFUSED, failure.message)
        self._progress.finished()
        return ApplicationError(
            failure.message, *failure.details, type=ORDER_TAKEN, non_retryable=True
        )

    async def _settle(
        self, order: OrderRequest, end: SagaState, why: StepFailed, details: str | None = None
    ) -> SagaState:
        """After the undos: `end`, unless one failed. Then the saga waits in
        COMPENSATION_FAILED, the customer told their money is delayed, until a person's retry
        goes through (`end`) or a person marks it resolved (RESOLVED)."""
        progress = self._progress
        state = end
        if progress.compensation_failures:
            passed(WAIT_FOR_PERSON)
            self._settling_to = end
            progress.wait_for_person()
            failures = [f.model_dump(mode="json") for f in progress.compensation_failures]
            await self._events.emit("order.needs_attention", compensation_failures=failures)
            passed(MAIL_WHILE_WAITING)
            waiting = progress.result(why)
            await self._tell(order, lambda o, r: delayed_mail(o, r, end), waiting)
            await workflow.wait_condition(
                lambda: (
                    (not progress.compensation_failures or progress.resolution is not None)
                    and workflow.all_handlers_finished()
                )
            )
            progress.waiting_for_person = False
            state = end if progress.resolution is None else SagaState.RESOLVED
        progress.set_state(state, details)
        progress.finished()
        return state

    async def _forward_within_deadline(self, order: OrderRequest) -> OrderResult:
        """The forward path, bounded by the order's business deadline when it has one: if
        the shipment is not booked by then, the step in flight is cancelled (it finishes or
        acknowledges first, as with a cancel) and the order is undone, EXPIRED."""
        if order.deadline_seconds is None:
            return await self._forward(order)
        forward = asyncio.create_task(self._forward(order))
        shipment = self._progress.steps["create_shipment"]
        try:
            await workflow.wait_condition(
                lambda: forward.done() or shipment.state == StepState.DONE,
                timeout=timedelta(seconds=order.deadline_seconds),
                timeout_summary="order deadline",
            )
        except TimeoutError:
            self._expired = True
            forward.cancel()
        except asyncio.CancelledError:
            forward.cancel()  # the order was cancelled: the step in flight hears it
        return await forward

    async def _forward(self, order: OrderRequest) -> OrderResult:
        """The business process (`run_forward`), a method so a test can vary it."""
        return await run_forward(self._steps, self._progress, order, self._events)
