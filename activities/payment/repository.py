"""Payment rows in and out: one row per order, as in the original design."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from activities.payment.tables import Payment
from activities.timestamps import utcnow


def get_payment(*, session: Session, order_id: str) -> Payment | None:
    """The order's payment row, locked for update where the database can."""
    query = select(Payment).where(Payment.order_id == order_id).with_for_update()
    return session.exec(query).first()


def add_payment(
    *,
    session: Session,
    order_id: str,
    amount: Decimal,
    payment_method: str,
    status: str,
    workflow_id: str,
) -> Payment:
    """The order's new row, owned by the saga `workflow_id`; its payment id never changes."""
    payment = Payment(
        payment_id=f"pay_{uuid.uuid4().hex}",
        order_id=order_id,
        amount=amount,
        payment_method=payment_method,
        status=status,
        workflow_id=workflow_id,
    )
    session.add(payment)
    return payment


def update_payment(
    *,
    session: Session,
    payment: Payment,
    status: str,
    transaction_id: str | None,
    gateway_response: dict[str, Any] | None,
) -> Payment:
    """Write a new status, keeping the intent id and response already stored when none is given."""
    payment.status = status
    payment.transaction_id = transaction_id or payment.transaction_id
    if gateway_response is not None:
        payment.gateway_response = gateway_response
    payment.updated_at = utcnow()
    session.add(payment)
    session.flush()
    return payment
