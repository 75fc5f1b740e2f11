"""The order saga: reserve, charge, ship; when a step fails or the order is cancelled, undo
the done ones newest first; then tell the customer. Its state and handlers are
order_handlers.py, how an order that did not ship ends order_ending.py, the business process
order_forward.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

# The workers run workflows without the SDK's sandbox (order_saga/worker_options.py). Its
# checks never reached the passed-through modules, where the saga's logic is; a clock,
# randomness, I/O or the environment is caught by the lint instead: ruff's TID251 bans in
# pyproject.toml apply to everything in workflows/. The imports stay passed through, so a
# worker that turns the sandbox back on does not import them anew for each run.
with workflow.unsafe.imports_passed_through():
    from workflows.cancel_request import cancel_request_of
    from workflows.order_account import StepFailed
    from workflows.order_ending import OrderEnding
    from workflows.order_forward import run_forward
    from workflows.order_mails import confirmed_mail
    from workflows.order_outcome import ORDER_TAKEN
    from workflows.order_request import OrderRequest
    from workflows.order_state import WORKFLOW_TYPE, OrderResult, SagaState, StepState
    from workflows.parcel_state import parcels_told
    from workflows.placement import runs_colocated


# A step of these failing is a payment that failed (an event for other services).
PAYMENT_STEPS = frozenset({"charge_payment", "capture_payment"})


# An input that cannot be decoded (sent by another client) fails the run, naming the field,
# instead of failing its workflow task over and over.
@workflow.defn(name=WORKFLOW_TYPE, failure_exception_types=[ValidationError])
class OrderSaga(OrderEnding):
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
        self._events.begin(order.order_id, deadline=order.step_deadline)
        try:
            result = await self._forward_within_deadline(order)
        except StepFailed as failure:
            if failure.error_type == ORDER_TAKEN:
                await self._events.close()
                refused = self._refused(failure)
                await self._answered()
                raise refused from None
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
        handed = f"handed to the carrier: {result.tracking_number}"
        progress.set_state(
            result.status, parcels_told(result.parcels) if result.parcels else handed
        )
        progress.finished()
        await self._events.close(
            ("order.completed", result.model_dump(mode="json")),
            self._mail(self._amend.as_amended(order), confirmed_mail, result),
        )
        await self._answered()
        return result

    async def _forward_within_deadline(self, order: OrderRequest) -> OrderResult:
        """The forward path, bounded by the order's business deadline when it has one: if
        the shipment is not booked by then, the step in flight is cancelled (it finishes or
        acknowledges first, as with a cancel) and the order is undone, EXPIRED."""
        if order.deadline_seconds is None:
            return await self._forward(order)
        forward = asyncio.create_task(self._forward(order))
        shipment = self._progress.steps["create_shipment"]
        limit = timedelta(seconds=order.deadline_seconds)
        expires = workflow.now() + limit
        deadline = asyncio.create_task(workflow.sleep(limit, summary="order deadline"))
        started = workflow.info().get_current_history_length()

        def booked() -> bool:
            return forward.done() or shipment.state == StepState.DONE

        try:
            await workflow.wait_condition(lambda: booked() or deadline.done())
        except asyncio.CancelledError:
            forward.cancel()  # the order was cancelled: the step in flight hears it
        if not booked() and deadline.done():
            self._expired = True
            forward.cancel()
        elif same_task(started) or expires - workflow.now() <= expected_rest(order):
            deadline.cancel()
        # Otherwise the saga ends before the timer fires (then it is dropped, no event): a
        # cancel would be one more event on every order. One that outlives its expectation
        # (a failed undo waiting for a person) hears the timer fire, and nothing follows.
        return await forward

    async def _forward(self, order: OrderRequest) -> OrderResult:
        """The business process (`run_forward`), a method so a test can vary it."""
        return await run_forward(
            self._steps, self._progress, order, self._events, self._review, self._amend
        )


# What a saga past its booking (or its undo) may still take: the wait for the carrier, and an
# hour for the capture's retries or an amendment in flight.
REST_MARGIN = timedelta(hours=1)


def expected_rest(order: OrderRequest) -> timedelta:
    """How long the saga is expected to run once its shipment is booked."""
    return timedelta(seconds=order.handover_delay_seconds) + REST_MARGIN


def same_task(history_length: int) -> bool:
    """Still in the workflow task that started the timer (colocated, the whole forward path
    runs in one): a timer started and cancelled in one task is never recorded."""
    return workflow.info().get_current_history_length() == history_length
