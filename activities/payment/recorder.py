"""What Stripe said, written onto the order's payment row: created once, moved forward only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from activities.database import reading, transaction
from activities.money import from_minor_units
from activities.ownership import Owner, refuse_foreign
from activities.payment import repository, rules
from activities.payment.contracts import CreatePaymentIntentInput
from activities.payment.tables import PaymentStatus


def record_payment(
    engine: Engine,
    saga: Owner,
    order_id: str,
    status: PaymentStatus,
    intent_id: str | None = None,
    response: dict[str, Any] | None = None,
    *,
    request: CreatePaymentIntentInput | None = None,
) -> repository.PaymentRow:
    """Create the order's row (from the create request) or move it forward, never back;
    never another run's row."""
    with transaction(engine) as session:
        payment = repository.get_payment(session=session, order_id=order_id)
        refuse_foreign(payment, saga, f"the payment of {order_id}")
        if payment is None:
            if request is None:
                raise LookupError(f"no payment recorded for order {order_id}")
            return repository.add_payment(
                session=session,
                order_id=order_id,
                amount=request.amount,
                payment_method=request.payment_method,
                status=status,
                owner=saga,
                transaction_id=intent_id,
                gateway_response=response,
            )
        if not rules.may_move(payment.status, status) or _unchanged(
            payment, status, intent_id, response
        ):
            return payment
        return repository.update_payment(
            session=session,
            payment=payment,
            status=status,
            transaction_id=intent_id,
            gateway_response=response,
            amount=captured_amount(status, response),
        )


def captured_amount(status: PaymentStatus, response: dict[str, Any] | None) -> Decimal | None:
    """What a capture took, from Stripe's answer: less than the authorization when the order
    was amended to fewer units (the row's amount says what was taken)."""
    if status not in (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_CAPTURED) or not response:
        return None
    received, currency = response.get("amount_received"), response.get("currency")
    if not isinstance(received, int) or not received or not isinstance(currency, str):
        return None
    return from_minor_units(received, currency)


def read_payment(engine: Engine, saga: Owner, order_id: str) -> repository.PaymentRow | None:
    """The order's row as it stands, read without taking a write lock; never another run's."""
    with reading(engine) as session:
        payment = repository.get_payment(session=session, order_id=order_id, lock=False)
    refuse_foreign(payment, saga, f"the payment of {order_id}")
    return payment


def _unchanged(
    payment: repository.PaymentRow,
    status: PaymentStatus,
    intent_id: str | None,
    response: dict[str, Any] | None,
) -> bool:
    """Stripe told again what the row holds (a waiting charge read once more): the same
    status, the same intent, the intent in the same state."""
    return (
        payment.status == status
        and status != PaymentStatus.PARTIALLY_CAPTURED  # each capture takes more
        and intent_id in (None, payment.transaction_id)
        and (response or {}).get("status") == payment.intent_status
    )
