"""How the order saga runs a step: typed activity call, progress bookkeeping, cancel checks."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, CancelledError, FailureError
from temporalio.workflow import ActivityCancellationType

from activities.activity_call import ActivityCall
from activities.payment.activities import REFUND_PAYMENT
from activities.payment.contracts import RefundPaymentInput
from workflows.markdown import inert
from workflows.money import Money, amount_of
from workflows.order_progress import OrderProgress
from workflows.payment_void import start_void
from workflows.saga import Saga

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


class OrderSteps:
    """Runs the saga's steps and registers their undos, keeping `OrderProgress` up to date."""

    def __init__(self, progress: OrderProgress, saga: Saga) -> None:
        self._progress = progress
        self._saga = saga
        self.local = False  # the placement: steps and undos as local activities

    async def run(
        self,
        step: str,
        call: ActivityCall[ArgT, ResultT],
        arg: ArgT,
        summary: str,
        *,
        last: bool = True,
        deadline: timedelta | None = None,
        local: bool | None = None,
    ) -> ResultT:
        """Run one activity of `step`; `last=False` keeps the step RUNNING after it,
        `deadline` bounds its retries instead of the activity's declared one, and `local`
        runs it in this worker whatever the placement.

        Raises StepFailed when it fails for good, CancelledError when the order was cancelled.
        """
        self._progress.step_running(step)
        try:
            # A step in flight finishes (or acknowledges) before anything is undone, so no
            # refund can race a charge.
            result = await call.execute(
                arg,
                summary=summary,
                cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
                deadline=deadline,
                local=self.local if local is None else local,
            )
        except FailureError as err:  # an ActivityError; a local activity's own failure
            # Once the order is cancelled the server retries nothing: whatever ended the
            # attempt in flight (a timeout, a 5xx) is the cancel taking effect.
            cause = err.cause if isinstance(err, ActivityError) else err
            if isinstance(cause, CancelledError) or workflow.cancellation_reason() is not None:
                raise asyncio.CancelledError from err
            raise self._progress.step_failed(step, err) from err
        self._progress.learn(result)
        if last:
            self._progress.step_done(step)
        if workflow.cancellation_reason() is not None:
            raise asyncio.CancelledError  # the step finished after the order was cancelled
        return result

    def undo_detached(self, step: str, refund: RefundPaymentInput, summary: str) -> None:
        """Register the void of an unconfirmed intent: handed to its own workflow, so the
        older undos and the order's end do not wait for the gateway."""

        self._saga.register(
            step, REFUND_PAYMENT.name, lambda: start_void(refund), description=summary
        )

    def undo_payment(self, step: str, refund: RefundPaymentInput, money: str) -> None:
        """Register the payment's undo: a void of the hold, or a refund of what was captured,
        named as what it will do when it runs. A person's retry of it carries the retry's
        number, so a refund the bank refused is asked for again."""
        local, progress = self.local, self._progress

        async def undo() -> object:
            taken = progress.payment in (Money.CAPTURED, Money.REFUND_FAILED)
            # What was taken is the total as it stands (less, for an order amended to fewer
            # units); a hold released is what was authorized.
            known = progress.known()
            now = amount_of(known["total"], known.get("currency")) if known["total"] else money
            summary = f"refund {now}" if taken else f"void {money} (release the hold)"
            workflow.set_current_details(inert(f"undoing {step}: {summary}"))
            again = refund.model_copy(update={"person_retry": progress.retries_asked()})
            return await REFUND_PAYMENT.execute(again, summary=summary, local=local)

        self._saga.register(step, REFUND_PAYMENT.name, undo, description=f"void or refund {money}")

    def undo_with(
        self, step: str, call: ActivityCall[ArgT, ResultT], arg: ArgT, summary: str
    ) -> None:
        """Register (or, as the step learns more, replace) the undo of `step`."""
        local = self.local
        self._saga.register(
            step,
            call.name,
            lambda: call.execute(arg, summary=summary, local=local),
            description=summary,
        )
