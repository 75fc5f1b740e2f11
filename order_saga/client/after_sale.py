"""A shipped order's returns and disputes as their tables keep them: also past Temporal's
retention, and with no worker to answer a query."""

from __future__ import annotations

from sqlalchemy import Engine, select

from activities.database import reading
from activities.payment.contracts import RecordedDispute
from activities.payment.disputing import DISPUTES, is_open
from activities.returns import repository
from activities.returns.contracts import ReturnLine
from order_saga.client.status import ClosedOrder
from workflows.order_state import SagaStatus
from workflows.return_request import ReturnState, ReturnView


def order_returns(engine: Engine, order_id: str) -> list[ReturnView]:
    """An order's returns, first first."""
    with reading(engine) as session:
        rows = repository.returns_of(session=session, order_id=order_id)
    return [
        ReturnView(
            return_id=row.return_id,
            order_id=row.order_id,
            state=ReturnState(row.status),
            lines=[ReturnLine.model_validate(line) for line in row.lines],
            refund=row.amount,
            currency=row.currency,
            reason=row.reason,
            refund_id=row.refund_id,
        )
        for row in rows
    ]


def disputes(
    engine: Engine, *, order_id: str | None = None, open_only: bool = False
) -> list[RecordedDispute]:
    """Disputes, newest first: one order's, or every order's (only the open ones if asked)."""
    query = select(DISPUTES).order_by(DISPUTES.c.created_at.desc())
    if order_id is not None:
        query = query.where(DISPUTES.c.order_id == order_id)
    with reading(engine) as session:
        rows = session.execute(query).mappings().all()
    found = [
        RecordedDispute(
            dispute_id=row["dispute_id"],
            order_id=row["order_id"],
            status=row["status"],
            amount=row["amount"],
            currency=row["currency"],
            reason=row["reason"],
            due_by=row["due_by"],
            open=is_open(row["status"]),
        )
        for row in rows
    ]
    return [d for d in found if d.open] if open_only else found


def tell(engine: Engine, status: SagaStatus | ClosedOrder) -> None:
    """Add a shipped order's returns and disputes to its status."""
    status.returns = order_returns(engine, status.order_id)
    status.disputes = disputes(engine, order_id=status.order_id)
