"""Payments repository: one row per order, as in the original design.

A row moves Pending -> Captured or Failed -> Refunded and never backwards, so a late or
replayed answer cannot undo a later state.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from order_saga.db.models import Payment, PaymentStatus, utcnow

_RANK = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.CAPTURED: 1,
    PaymentStatus.FAILED: 1,
    PaymentStatus.REFUNDED: 2,
}

__all__ = ["Payment", "get_payment", "record_payment"]


def get_payment(*, session: Session, order_id: str) -> Payment | None:
    """The order's payment row, locked for update where the database can."""
    query = select(Payment).where(Payment.order_id == order_id).with_for_update()
    return session.exec(query).first()


def record_payment(
    *,
    session: Session,
    order_id: str,
    status: PaymentStatus,
    transaction_id: str | None = None,
    gateway_response: dict[str, Any] | None = None,
    new_amount: Decimal | None = None,
    new_payment_method: str | None = None,
) -> Payment:
    """Create the order's row (given an amount) or move it forward; the id never changes."""
    payment = get_payment(session=session, order_id=order_id)
    if payment is None:
        if new_amount is None or new_payment_method is None:
            raise LookupError(f"no payment recorded for order {order_id}")
        payment = Payment(
            payment_id=f"pay_{uuid.uuid4().hex}",
            order_id=order_id,
            amount=new_amount,
            payment_method=new_payment_method,
            status=status,
        )
    elif _RANK[status] < _RANK[PaymentStatus(payment.status)] or (
        _RANK[status] == _RANK[PaymentStatus(payment.status)] and status != payment.status
    ):
        return payment  # never backwards, never sideways between Captured and Failed
    payment.status = status
    payment.transaction_id = transaction_id or payment.transaction_id
    if gateway_response is not None:
        payment.gateway_response = gateway_response
    payment.updated_at = utcnow()
    session.add(payment)
    session.flush()
    return payment
