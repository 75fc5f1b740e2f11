"""How an order that did not ship ends, whatever stopped it (a failed step, a cancel, the
deadline, another run owning its id): undo, settle (a failed undo waits for a person, the
customer told their money is delayed), announce, mail, then end as a failed or cancelled
workflow carrying the result."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.notification.contracts import OrderMail
    from activities.notification.events import OrderEventType
    from workflows.order_account import StepFailed
    from workflows.order_handlers import OrderHandlers
    from workflows.order_mails import delayed_mail, undone_mail
    from workflows.order_outcome import ORDER_TAKEN, compensated_failure
    from workflows.order_request import OrderRequest
    from workflows.order_state import OrderResult, SagaState

# The event each end of an order that did not ship is announced with.
ENDED: dict[SagaState, OrderEventType] = {
    SagaState.COMPENSATED: "order.compensated",
    SagaState.CANCELLED: "order.cancelled",
    SagaState.EXPIRED: "order.expired",
    SagaState.RESOLVED: "order.resolved",
}


class OrderEnding(OrderHandlers):
    """The ends of an order that did not ship, shared by every way it stops."""

    def _mail(
        self,
        order: OrderRequest,
        mail: Callable[[OrderRequest, OrderResult], OrderMail],
        result: OrderResult,
    ) -> OrderMail | None:
        """The customer's mail about how the order went, if the order has their address."""
        return mail(order, result) if order.customer_email is not None else None

    async def _undo_and_end(
        self, order: OrderRequest, end: SagaState, why: StepFailed, details: str | None = None
    ) -> OrderResult:
        """The one way an order that did not ship ends, whatever stopped it (a failed step, a
        cancel, the deadline): undo what was done, newest first, settle (a failed undo waits
        for a person), then end as `end`: a cancelled order is cancelled; any other that did
        not ship (compensated, expired, settled by a person) fails the workflow carrying its
        result (red in the Web UI's list)."""
        progress = self._progress
        await self._amend.settled()  # an amendment in flight ends before anything is undone
        if details is not None:  # a cancel or the deadline: say so while the undos run
            undoing = SagaState.CANCELLING if end == SagaState.CANCELLED else SagaState.COMPENSATING
            progress.set_state(undoing, details)
        await self._saga.compensate()
        state = await self._settle(order, end, why, details)
        result = progress.result(why)
        await self._events.close(
            (ENDED[state], result.model_dump(mode="json")),
            self._mail(self._amend.as_amended(order), undone_mail, result),
        )
        await self._answered()
        if state != SagaState.RESOLVED and end == SagaState.CANCELLED:
            raise asyncio.CancelledError  # the workflow ends cancelled, as it was asked
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
            self._settling_to = end
            progress.wait_for_person()
            failures = [f.model_dump(mode="json") for f in progress.compensation_failures]
            amended = self._amend.as_amended(order)
            delayed = self._mail(
                amended, lambda o, r: delayed_mail(o, r, end), progress.result(why)
            )
            await self._events.hand_over(
                ("order.needs_attention", {"compensation_failures": failures}), mail=delayed
            )
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
