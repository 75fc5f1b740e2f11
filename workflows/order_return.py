"""A return of a shipped order, as its own workflow: opened against what the order shipped
and took, then the parcel awaited until its due date; received, its usable units go back on
the shelf and the returned lines are refunded. A refund the bank refuses waits for a person.

    REQUESTED → AWAITING_PARCEL → RECEIVED → REFUNDED
        ↓              ↓  ↘ EXPIRED       ↓ ↑ retry
     REFUSED        REJECTED          REFUND_FAILED → RESOLVED
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import VersioningBehavior
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RESTOCK_RETURN
    from activities.inventory.contracts import RestockInput, RestockLine
    from activities.payment.activities import REFUND_RETURN
    from activities.payment.contracts import RefundReturnInput
    from activities.returns.activities import OPEN_RETURN, RECORD_RETURN
    from activities.returns.contracts import OpenReturnInput, RecordReturnInput
    from workflows.money import amount_of
    from workflows.return_handlers import ReturnHandlers
    from workflows.return_request import (
        ReceiveParcel,
        ReturnRequest,
        ReturnState,
        ReturnView,
    )

REFUSALS = frozenset(
    {"ReturnRefused", "ReturnNumberTaken", "ReturnOpenedBefore", "ReturnKeyReused"}
)
# The customer has at least this long to send the parcel, even when opened on the last day.
PARCEL_GRACE = timedelta(days=14)


class ReturnProcess(ReturnHandlers):
    """One return's process; `OrderReturn` and `UpgradingOrderReturn` run it."""

    async def run(self, request: ReturnRequest) -> ReturnView:
        """Open, await the parcel, restock and refund; end as the return ended."""
        try:
            self._opened = await OPEN_RETURN.execute(
                OpenReturnInput(
                    return_id=request.return_id,
                    order_id=request.order_id,
                    number=request.number,
                    items=request.items,
                    reason=request.reason,
                    opened_by=request.opened_by,
                    workflow_run=workflow.info().first_execution_run_id,
                    window_days=request.window_days,
                    handed_over_at=request.handed_over_at,
                    request_key=request.request_key,
                ),
                summary="open the return",
                local=True,
            )
        except FailureError as err:  # a local activity's failure may come unwrapped
            cause = err.cause if isinstance(err, ActivityError) else err
            if not isinstance(cause, ApplicationError) or cause.type not in REFUSALS:
                raise
            self._view = self._view.refused_as(cause.type or "", cause.message)
            return await self._end(ReturnState.REFUSED, cause.message, write=False)
        opened = self._opened
        due = max(opened.window_ends, workflow.now() + PARCEL_GRACE)
        self._update(ReturnState.AWAITING_PARCEL, lines=opened.lines, refund=opened.amount)
        self._view = self._view.model_copy(
            update={
                "currency": opened.currency,
                "window_ends": opened.window_ends,
                "parcel_due": due,
            }
        )
        self._note(f"opened by {request.opened_by}")
        with contextlib.suppress(asyncio.TimeoutError):  # no parcel by its due date
            await workflow.wait_condition(
                lambda: self._parcel is not None or self._rejected is not None,
                timeout=due - workflow.now(),
                timeout_summary="the parcel's due date",
            )
        if self._rejected is not None:
            return await self._end(ReturnState.REJECTED, self._rejected.reason)
        if self._parcel is None:
            return await self._end(ReturnState.EXPIRED, f"no parcel by {due:%Y-%m-%d} UTC")
        return await self._receive(self._parcel)

    async def _receive(self, parcel: ReceiveParcel) -> ReturnView:
        unusable = {item.sku: item.quantity for item in parcel.unusable}
        lines = [
            x.model_copy(update={"unusable": unusable.get(x.sku, 0)}) for x in self._view.lines
        ]
        self._update(ReturnState.RECEIVED, lines=lines)
        await self._write(ReturnState.RECEIVED)
        await RESTOCK_RETURN.execute(
            RestockInput(
                order_id=self._request.order_id,
                return_id=self._request.return_id,
                lines=[RestockLine(sku=x.sku, quantity=x.quantity - x.unusable) for x in lines],
            ),
            summary="restock the usable units",
        )
        if await self._refund():
            return await self._end(ReturnState.REFUNDED, "")
        note = self._resolution.note if self._resolution else ""
        return await self._end(ReturnState.RESOLVED, f"settled by a person: {note}")

    async def _refund(self) -> bool:
        """Refund the lines; a refusal waits for a person's retry (True once refunded) or
        their word that it was settled by hand (False)."""
        opened, retries = self._opened, 0
        assert opened is not None
        while True:
            try:
                refund = await REFUND_RETURN.execute(
                    RefundReturnInput(
                        order_id=opened.order_id,
                        return_id=opened.return_id,
                        amount=opened.amount,
                        currency=opened.currency,
                        person_retry=retries,
                    ),
                    summary=f"refund {amount_of(opened.amount, opened.currency)}",
                )
                self._view = self._view.model_copy(update={"refund_id": refund.refund_id})
                return True
            except ActivityError as err:
                cause = str(err.cause or err)
                self._update(ReturnState.REFUND_FAILED, detail=f"refund refused: {cause}")
                await self._write(ReturnState.REFUND_FAILED)
            self._resolution = None
            await workflow.wait_condition(lambda: self._resolution is not None)
            if self._resolution is not None and self._resolution.action == "mark-resolved":
                return False
            retries += 1
            self._update(ReturnState.RECEIVED, detail="")

    async def _end(self, state: ReturnState, detail: str, *, write: bool = True) -> ReturnView:
        self._update(state, detail=detail)
        if write:
            await self._write(state)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view

    async def _write(self, state: ReturnState) -> None:
        await RECORD_RETURN.execute(
            RecordReturnInput(
                return_id=self._request.return_id,
                status=state,
                lines=self._view.lines,
                refund_id=self._view.refund_id,
            ),
            summary=f"record {state.lower().replace('_', ' ')}",
            local=True,
        )


@workflow.defn(name="OrderReturn")
class OrderReturn(ReturnProcess):
    """A return, on an unversioned worker. `status` answers where it is, updates move it on
    a person's word (return_handlers.py)."""

    @workflow.init
    def __init__(self, request: ReturnRequest) -> None:
        super().__init__(request)

    @workflow.run
    async def run(self, request: ReturnRequest) -> ReturnView:
        """Open, await the parcel, restock and refund; end as the return ended."""
        return await super().run(request)


# A return lives up to its window and grace (weeks): pinned, it would keep its build's workers
# up that long. On a versioned worker it moves to each new build instead, and a change to its
# shape there guards itself with `workflow.patched` (docs/changing-the-saga.md).
@workflow.defn(name="OrderReturn", versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class UpgradingOrderReturn(ReturnProcess):
    """The same return on a versioned worker (a Worker Deployment's build)."""

    @workflow.init
    def __init__(self, request: ReturnRequest) -> None:
        super().__init__(request)

    @workflow.run
    async def run(self, request: ReturnRequest) -> ReturnView:
        """Open, await the parcel, restock and refund; end as the return ended."""
        return await super().run(request)
