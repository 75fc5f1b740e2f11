"""Returns activities: open a return (number it, check it against what the order shipped
and took, in one transaction) and record where it is. The return's workflow runs them as
local activities: a return is rare, and its bookkeeping needs no queue of its own."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.activity_call import ActivityCall
from activities.database import transaction
from activities.failures import reports_failures
from activities.retries import bookkeeping_retry
from activities.returns import repository, rules
from activities.returns.contracts import (
    OpenedReturn,
    OpenReturnInput,
    RecordedReturn,
    RecordReturnInput,
    ReturnLine,
)
from activities.returns.tables import ReturnStatus
from activities.timestamps import utcnow

FINAL = frozenset(
    {ReturnStatus.REFUNDED, ReturnStatus.RESOLVED, ReturnStatus.REJECTED, ReturnStatus.EXPIRED}
)


class ReturnActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="open_return")
    @reports_failures
    def open_return(self, request: OpenReturnInput) -> OpenedReturn:
        """Accept a return of shipped units and price its refund, or refuse it naming why.
        The order's shipment row is locked while its other returns are counted, so two
        returns racing for the last unit are checked one after the other; a retry finds its
        own row and answers as the first call did."""
        with transaction(self._engine) as session:
            sale = repository.read_sale(session=session, order_id=request.order_id)
            mine = repository.get_return(session=session, return_id=request.return_id)
            # The worker's clock, as the rows' times: a workflow's clock may be skipped ahead
            # (a test server's) where the order's hand-over time is not.
            now = utcnow()
            ends = rules.window_end(
                request.handed_over_at or sale.captured_at or now,
                request.window_days if sale.window_days is None else sale.window_days,
            )
            if mine is not None and mine.workflow_run != request.workflow_run:
                raise rules.ReturnNumberTaken(f"{request.return_id} is an earlier return's")
            if mine is not None:  # a retry: as the first call answered
                return opened(mine, ends)
            if request.request_key is not None:
                check_key(session, request)
            rules.check_shipped(sale)
            rules.check_window(request.order_id, now, ends)
            others = repository.returns_of(
                session=session, order_id=request.order_id, claiming_only=True
            )
            claimed = Counter[str]()
            for other in others:
                claimed.update({line["sku"]: line["quantity"] for line in other.lines})
            lines = rules.priced_lines(request.order_id, request.items, sale.lines, claimed)
            amount = rules.refund_amount(
                request.order_id,
                lines,
                sale.lines,
                claimed,
                sale.captured,
                sum((other.amount for other in others), Decimal("0.00")),
            )
            row = repository.ReturnRow(
                return_id=request.return_id,
                order_id=request.order_id,
                number=request.number,
                status=ReturnStatus.AWAITING_PARCEL,
                lines=[line.model_dump(mode="json") for line in lines],
                amount=amount,
                currency=sale.currency,
                reason=request.reason,
                opened_by=request.opened_by,
                workflow_run=request.workflow_run,
                refund_id=None,
                request_key=request.request_key,
                request_fingerprint=rules.fingerprint(request.items, request.reason),
                created_at=now,
                updated_at=now,
            )
            repository.add_return(session=session, row=row)
        activity.logger.info("return %s opened: %s %s", request.return_id, amount, sale.currency)
        return opened(row, ends)

    @activity.defn(name="record_return")
    @reports_failures
    def record_return(self, request: RecordReturnInput) -> RecordedReturn:
        """Write the return's new state; a final state is never moved again."""
        with transaction(self._engine) as session:
            row = repository.get_return(session=session, return_id=request.return_id)
            if row is None:
                raise LookupError(f"no return {request.return_id}")
            if row.status in FINAL:
                return RecordedReturn(return_id=row.return_id, status=row.status)
            repository.set_status(
                session=session,
                return_id=request.return_id,
                status=request.status,
                lines=[x.model_dump(mode="json") for x in request.lines] if request.lines else None,
                refund_id=request.refund_id,
            )
        return RecordedReturn(return_id=request.return_id, status=request.status)


def check_key(session: Session, request: OpenReturnInput) -> None:
    """Refuse a request whose Idempotency-Key opened a return before: the same request is
    told that return's id; the key with other items or reason is refused."""
    assert request.request_key is not None
    earlier = repository.return_by_key(
        session=session, order_id=request.order_id, key=request.request_key
    )
    if earlier is None:
        return
    if earlier.request_fingerprint != rules.fingerprint(request.items, request.reason):
        raise rules.ReturnKeyReused(
            f"Idempotency-Key {request.request_key!r} opened {earlier.return_id} "
            "for other items or reason"
        )
    raise rules.ReturnOpenedBefore(earlier.return_id)


def opened(row: repository.ReturnRow, ends: datetime) -> OpenedReturn:
    """A return's row as the workflow goes on with it."""
    return OpenedReturn(
        return_id=row.return_id,
        order_id=row.order_id,
        lines=[ReturnLine.model_validate(line) for line in row.lines],
        amount=row.amount,
        currency=row.currency,
        window_ends=ends,
    )


# A database outage delays a return, never ends it: retried until the database is back.
BOOKKEEPING_RETRY = bookkeeping_retry(
    rules.ReturnRefused.type,
    rules.ReturnNumberTaken.type,
    rules.ReturnOpenedBefore.type,
    rules.ReturnKeyReused.type,
)
OPEN_RETURN = ActivityCall(
    ReturnActivities.open_return,
    service="orders",
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=BOOKKEEPING_RETRY,
)
RECORD_RETURN = ActivityCall(
    ReturnActivities.record_return,
    service="orders",
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=BOOKKEEPING_RETRY,
)
