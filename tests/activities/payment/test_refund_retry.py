"""A refund the bank refused, and a person's retry of it: the retry asks the bank again, once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.payment.contracts import RefundPaymentInput
from activities.payment.tables import Payment
from tests.activities.payment.test_payments import charge, create_input, payment_row, payments


def test_a_persons_retry_asks_the_bank_again_and_only_once(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    acts, env = payments(db, base_url), ActivityEnvironment()
    request = create_input("pm_card_refundFailsOnce")
    charged = charge(acts, request)
    refund = RefundPaymentInput(
        order_id=request.order_id,
        idempotency_key=request.idempotency_key,
        payment_intent_id=charged.payment_intent_id,
    )
    for _ in range(2):  # the saga's own retry replays the bank's refusal: no second request
        with pytest.raises(ApplicationError) as refused:
            env.run(acts.refund_payment, refund)
        assert (refused.value.type, refused.value.non_retryable) == ("RefundFailed", True)
    refunds = stripe.ledger.refunds_of(charged.payment_intent_id)
    assert [r["status"] for r in refunds] == ["failed"]
    assert payment_row(db, request.order_id).status == "Captured"

    retried = refund.model_copy(update={"person_retry": 1})
    assert env.run(acts.refund_payment, retried).action == "refunded"
    assert env.run(acts.refund_payment, retried).action == "already_refunded"
    # A second person's retry, its row update lost, finds the refund that went through.
    payment_row_reset(db, request.order_id)
    again = refund.model_copy(update={"person_retry": 2})
    assert env.run(acts.refund_payment, again).action == "refunded"
    refunds = stripe.ledger.refunds_of(charged.payment_intent_id)
    assert [(r["status"], r["amount"]) for r in refunds] == [("failed", 3998), ("succeeded", 3998)]
    assert payment_row(db, request.order_id).status == "Refunded"


def payment_row_reset(db: Engine, order_id: str) -> None:
    """As if the row's update after the refund had been lost."""
    with transaction(db) as session:
        row = session.exec(select(Payment).where(Payment.order_id == order_id)).one()
        row.status = "Captured"
