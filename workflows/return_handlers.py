"""A return's state, and what may be asked of it while it runs: where it is (a query), the
parcel back, a rejection, a person's answer to a refused refund (updates, each with a
validator that refuses them in any other state)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.returns.contracts import OpenedReturn
    from workflows.return_request import (
        ReceiveParcel,
        RejectReturn,
        ResolveReturn,
        ReturnRequest,
        ReturnState,
        ReturnView,
    )


class ReturnHandlers:
    """The return's handlers; `OrderReturn` (order_return.py) is the workflow that runs it."""

    def __init__(self, request: ReturnRequest) -> None:
        self._request = request
        self._opened: OpenedReturn | None = None
        self._view = ReturnView(
            return_id=request.return_id,
            order_id=request.order_id,
            customer_id=request.customer_id,
            state=ReturnState.REQUESTED,
            reason=request.reason,
        )
        self._parcel: ReceiveParcel | None = None
        self._rejected: RejectReturn | None = None
        self._resolution: ResolveReturn | None = None

    def _update(self, state: ReturnState, **changes: object) -> None:
        self._view = self._view.model_copy(update={"state": state, **changes})
        workflow.set_current_details(f"**{state}**")

    def _note(self, entry: str) -> None:
        self._view = self._view.model_copy(update={"record": [*self._view.record, entry]})

    @workflow.query(name="status")
    def status(self) -> ReturnView:
        """Where the return is."""
        return self._view

    @workflow.update(name="opened")
    async def opened(self) -> ReturnView:
        """Answers once the return is accepted or refused: a client's start waits on it."""
        await workflow.wait_condition(lambda: self._view.state != ReturnState.REQUESTED)
        return self._view

    @workflow.update(name="receive")
    def receive(self, parcel: ReceiveParcel) -> ReturnView:
        """The parcel is back (an operator, or the carrier's webhook)."""
        self._parcel = parcel
        self._note(f"received by {parcel.by or 'unknown'}")
        self._update(ReturnState.RECEIVED)
        return self._view

    @receive.validator
    def _may_receive(self, parcel: ReceiveParcel) -> None:
        self._check_state(ReturnState.AWAITING_PARCEL, "receive")
        returned = {line.sku: line.quantity for line in self._view.lines}
        for item in parcel.unusable:
            if item.quantity > returned.get(item.sku, 0):
                raise ValueError(
                    f"unusable: {item.quantity} x {item.sku}, but the return holds "
                    f"{returned.get(item.sku, 0)}"
                )

    @workflow.update(name="reject")
    def reject(self, rejection: RejectReturn) -> ReturnView:
        """An operator refuses the return: nothing is refunded."""
        self._rejected = rejection
        self._note(f"rejected by {rejection.by or 'unknown'}")
        self._update(ReturnState.REJECTED, detail=rejection.reason)
        return self._view

    @reject.validator
    def _may_reject(self, rejection: RejectReturn) -> None:
        self._check_state(ReturnState.AWAITING_PARCEL, "reject")

    @workflow.update(name="resolve")
    def resolve(self, resolution: ResolveReturn) -> ReturnView:
        """A person's answer to a refused refund."""
        self._resolution = resolution
        self._note(f"{resolution.action} by {resolution.by or 'unknown'}")
        return self._view

    @resolve.validator
    def _may_resolve(self, resolution: ResolveReturn) -> None:
        self._check_state(ReturnState.REFUND_FAILED, "resolve")
        if resolution.action == "mark-resolved" and not resolution.note:
            raise ValueError("note: mark-resolved needs a note of what was done by hand")

    def _check_state(self, wanted: ReturnState, action: str) -> None:
        if self._view.state != wanted:
            raise ValueError(
                f"return {self._request.return_id} is {self._view.state}: cannot {action}"
            )
