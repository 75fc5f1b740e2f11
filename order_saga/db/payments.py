"""Payments repository: one row per order, as in the original design."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from order_saga.db.models import Payment, PaymentStatus, utcnow


def get_payment(*, session: Session, order_id: str) -> Payment | None:
    query = select(Payment).where(Payment.order_id == order_id).with_for_update()
    return session.exec(query).first()


def record_payment(
    *,
    session: Session,
    order_id: str,
    amount: Decimal,
    payment_method: str,
    status: PaymentStatus,
    transaction_id: str | None,
    gateway_response: dict[str, Any] | None,
) -> Payment:
    """Insert or update the order's payment row; the payment id never changes once given."""
    payment = get_payment(session=session, order_id=order_id)
    if payment is None:
        payment = Payment(
            payment_id=f"pay_{uuid.uuid4().hex}",
            order_id=order_id,
            amount=amount,
            payment_method=payment_method,
            status=status,
        )
    payment.status = status
    payment.transaction_id = transaction_id or payment.transaction_id
    payment.gateway_response = gateway_response
    payment.updated_at = utcnow()
    session.add(payment)
    session.flush()
    return payment


def mark_refunded(*, session: Session, payment: Payment, gateway_response: dict[str, Any]) -> None:
    payment.status = PaymentStatus.REFUNDED
    payment.gateway_response = gateway_response
    payment.updated_at = utcnow()
    session.add(payment)
    session.flush()
