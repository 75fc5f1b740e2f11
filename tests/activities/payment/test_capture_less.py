"""An order amended to fewer units is captured for its new total, on both databases against
the local Stripe server: Stripe takes that much (the rest of the hold released), a repeated
capture takes nothing more, and the payment row says what was taken."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine
from temporalio.testing import ActivityEnvironment

from activities.payment.contracts import CapturePaymentInput
from tests.activities.payment.test_payments import (
    charge,
    create_input,
    intents_for,
    payment_row,
    payments,
)


def test_fewer_units_are_captured_for_less_once(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    acts = payments(db, base_url)
    request = create_input(amount="59.97").model_copy(update={"capture_method": "manual"})
    held = charge(acts, request)
    assert held.authorized_only
    capture = CapturePaymentInput(
        order_id=request.order_id,
        payment_intent_id=held.payment_intent_id,
        amount=Decimal("19.99"),  # two of the three units amended away
        currency="usd",
        idempotency_key=request.idempotency_key,
    )

    first = ActivityEnvironment().run(acts.capture_payment, capture)
    again = ActivityEnvironment().run(acts.capture_payment, capture)  # an answer lost

    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount_received"], intent["amount"]) == (
        "succeeded",
        1999,
        5997,
    )
    assert first.amount == again.amount == Decimal("19.99")
    row = payment_row(db, request.order_id)
    assert (row.status, row.amount) == ("Captured", Decimal("19.99"))
