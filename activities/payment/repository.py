"""Payment rows in and out: one row per order, as in the original design.

Plain SQL statements through the session, not the ORM's unit of work: each activity reads
a handful of columns and writes one row, and the ORM's identity map and flush cost more
than the statements themselves (0.4 ms of CPU per transaction here).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session

from activities.ownership import Owner
from activities.payment.tables import Payment
from activities.timestamps import utcnow

PAYMENTS: Table = Payment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PaymentRow:
    """What the activities need of an order's payment row."""

    payment_id: str
    status: str
    transaction_id: str | None
    workflow_id: str | None
    saga_run: str | None
    intent_status: str | None = None  # the intent's status in Stripe's last answer kept


_COLUMNS = (
    PAYMENTS.c.payment_id,
    PAYMENTS.c.status,
    PAYMENTS.c.transaction_id,
    PAYMENTS.c.workflow_id,
    PAYMENTS.c.saga_run,
    PAYMENTS.c.gateway_response["status"].as_string(),
)


def get_payment(*, session: Session, order_id: str, lock: bool = True) -> PaymentRow | None:
    """The order's payment row, locked for update where the database can (unless only read)."""
    query = select(*_COLUMNS).where(PAYMENTS.c.order_id == order_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    return PaymentRow(*row) if row else None


def add_payment(
    *,
    session: Session,
    order_id: str,
    amount: Decimal,
    payment_method: str,
    status: str,
    owner: Owner,
    transaction_id: str | None = None,
    gateway_response: dict[str, Any] | None = None,
) -> PaymentRow:
    """The order's new row, owned by the run chain `owner`; its payment id never changes."""
    payment_id, now = f"pay_{uuid.uuid4().hex}", utcnow()
    session.execute(
        insert(PAYMENTS).values(
            payment_id=payment_id,
            order_id=order_id,
            amount=amount,
            payment_method=payment_method,
            status=status,
            transaction_id=transaction_id,
            gateway_response=gateway_response,
            workflow_id=owner.workflow_id,
            saga_run=owner.saga_run,
            created_at=now,
            updated_at=now,
        )
    )
    answered = (gateway_response or {}).get("status")
    return PaymentRow(
        payment_id, status, transaction_id, owner.workflow_id, owner.saga_run, answered
    )


def update_payment(
    *,
    session: Session,
    payment: PaymentRow,
    status: str,
    transaction_id: str | None,
    gateway_response: dict[str, Any] | None,
    amount: Decimal | None = None,
) -> PaymentRow:
    """Write a new status, keeping the intent id and response already stored when none is
    given (and the amount, unless a capture took another)."""
    values: dict[str, Any] = {"status": status, "updated_at": utcnow()}
    if amount is not None:
        values["amount"] = amount
    if transaction_id:
        values["transaction_id"] = transaction_id
    if gateway_response is not None:
        values["gateway_response"] = gateway_response
    query = update(PAYMENTS).where(PAYMENTS.c.payment_id == payment.payment_id)
    session.execute(query.values(**values))
    answered = gateway_response.get("status") if gateway_response else payment.intent_status
    return PaymentRow(
        payment.payment_id,
        status,
        transaction_id or payment.transaction_id,
        payment.workflow_id,
        payment.saga_run,
        answered,
    )
