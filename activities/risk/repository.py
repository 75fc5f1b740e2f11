"""Risk rows in and out: the rules of one order's customer, and its assessment, in one
transaction that a second order of the same customer waits for (so two orders racing cannot
both pass a limit that only one fits)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from activities.payment.tables import Payment, PaymentStatus
from activities.risk.rules import Rules
from activities.risk.tables import (
    ANY_CUSTOMER,
    HOLD_SWITCH,
    RiskAssessment,
    RiskBlock,
    RiskLimit,
    RiskSwitch,
)

LIMITS: Table = RiskLimit.__table__  # type: ignore[attr-defined]
BLOCKS: Table = RiskBlock.__table__  # type: ignore[attr-defined]
SWITCHES: Table = RiskSwitch.__table__  # type: ignore[attr-defined]
ASSESSMENTS: Table = RiskAssessment.__table__  # type: ignore[attr-defined]
PAYMENTS: Table = Payment.__table__  # type: ignore[attr-defined]

# A payment in these states holds or took the customer's money (or is about to).
HOLDING = (
    PaymentStatus.PENDING,
    PaymentStatus.AUTHORIZED,
    PaymentStatus.PARTIALLY_CAPTURED,
    PaymentStatus.CAPTURED,
)
GIVEN_BACK = (PaymentStatus.FAILED, PaymentStatus.VOIDED, PaymentStatus.REFUNDED)


def lock_customer(*, session: Session, customer_id: str) -> None:
    """Serialize one customer's assessments: PostgreSQL takes a lock for the transaction;
    SQLite's write transaction already runs alone."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"risk:{customer_id}"},
        )


def verdict_of(*, session: Session, order_id: str) -> tuple[str, str]:
    """The order's recorded verdict and reasons (a re-run reads them back)."""
    row = session.execute(
        select(ASSESSMENTS.c.verdict, ASSESSMENTS.c.reasons).where(
            ASSESSMENTS.c.order_id == order_id
        )
    ).one()
    return str(row.verdict), str(row.reasons)


def rules_for(
    *, session: Session, order_id: str, customer_id: str, email: str | None, currency: str,
    now: datetime,
) -> Rules:  # fmt: skip
    """What the database says about this customer, as of `now`."""
    keys = [("customer", customer_id)] + ([("email", email.lower())] if email else [])
    blocked = (
        select(BLOCKS.c.kind)
        .where(or_(*(and_(BLOCKS.c.kind == k, BLOCKS.c.value == v) for k, v in keys)))
        .order_by(BLOCKS.c.kind)
        .limit(1)
    )
    hold = select(SWITCHES.c.on).where(SWITCHES.c.name == HOLD_SWITCH)

    def limit_of(column: Any) -> Any:
        return (
            select(column)
            .where(
                LIMITS.c.customer_id.in_((customer_id, ANY_CUSTOMER)), LIMITS.c.currency == currency
            )
            .order_by((LIMITS.c.customer_id == ANY_CUSTOMER).asc())  # the customer's own first
            .limit(1)
        )

    # One statement: the rules are read on every order, and change rarely.
    rules = session.execute(
        select(
            blocked.scalar_subquery(),
            hold.scalar_subquery(),
            limit_of(LIMITS.c.amount).scalar_subquery(),
            limit_of(LIMITS.c.window_hours).scalar_subquery(),
        )
    ).one()
    kind, on, limit, window = rules
    window_hours = int(window or 0)
    spent = spent_in_window(
        session=session, order_id=order_id, customer_id=customer_id, currency=currency,
        since=now - timedelta(hours=window_hours),
    ) if limit is not None else Decimal(0)  # fmt: skip
    return Rules(
        blocked=str(kind) if kind else None,
        hold=bool(on),
        limit=Decimal(limit) if limit is not None else None,
        window_hours=window_hours,
        spent=spent,
    )


def spent_in_window(
    *, session: Session, order_id: str, customer_id: str, currency: str, since: datetime
) -> Decimal:
    """The customer's other orders since `since`: those that passed, unless their money went
    back (a decline, a void, a refund), and those a person approved that hold money."""
    status = PAYMENTS.c.status
    counted = or_(
        and_(ASSESSMENTS.c.verdict == "pass", or_(status.is_(None), status.not_in(GIVEN_BACK))),
        and_(ASSESSMENTS.c.verdict == "review", status.in_(HOLDING)),
    )
    total = session.execute(
        select(func.coalesce(func.sum(ASSESSMENTS.c.amount), 0))
        .select_from(ASSESSMENTS.outerjoin(PAYMENTS, PAYMENTS.c.order_id == ASSESSMENTS.c.order_id))
        .where(
            ASSESSMENTS.c.customer_id == customer_id,
            ASSESSMENTS.c.currency == currency,
            ASSESSMENTS.c.assessed_at >= since,
            ASSESSMENTS.c.order_id != order_id,
            counted,
        )
    ).scalar()
    return Decimal(total or 0)


def record(*, session: Session, row: dict[str, Any]) -> bool:
    """Keep the order's assessment; False when it had one already (a re-run: read it)."""
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ASSESSMENTS)
    kept = session.execute(statement.values(**row).on_conflict_do_nothing())
    return bool(kept.rowcount == 1)  # type: ignore[attr-defined]
