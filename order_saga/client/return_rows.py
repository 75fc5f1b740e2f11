"""A shipped order's returns as the returns table keeps them: also past Temporal's retention,
and with no worker to answer a query."""

from __future__ import annotations

from sqlalchemy import Engine

from activities.database import reading
from activities.returns import repository
from activities.returns.contracts import ReturnLine
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
