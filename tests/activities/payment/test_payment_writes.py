"""What the payment steps write, and when they write nothing: a create Stripe refuses still
leaves its row, and an answer the row already holds is not written again."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.payment.contracts import ChargePaymentInput
from tests.activities.payment.test_payments import create_input, payment_row, payments


def test_a_create_stripe_refuses_is_recorded_failed(db: Engine, stripe_server) -> None:
    _, base_url = stripe_server
    request = create_input("pm_card_neverIssued")
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(payments(db, base_url).create_payment_intent, request)
    assert raised.value.non_retryable
    row = payment_row(db, request.order_id)
    assert (row.status, row.transaction_id) == ("Failed", None)
    assert row.gateway_response is not None
    assert row.gateway_response["error"]["code"] == "resource_missing"


def test_reading_a_waiting_charge_again_rewrites_nothing(db: Engine, stripe_server) -> None:
    _, base_url = stripe_server
    acts, env = payments(db, base_url), ActivityEnvironment()
    request = create_input("pm_card_threeDSecure2Required")
    intent = env.run(acts.create_payment_intent, request)
    charge = ChargePaymentInput(
        order_id=request.order_id,
        payment_intent_id=intent.payment_intent_id,
        amount=request.amount,
        currency=request.currency,
        idempotency_key=request.idempotency_key,
    )
    asked = env.run(acts.charge_payment, charge)
    assert asked.authentication_url
    waiting = payment_row(db, request.order_id)
    assert waiting.gateway_response is not None
    assert waiting.gateway_response["status"] == "requires_action"
    for _ in range(2):  # the saga's readings while the customer has not answered
        assert env.run(acts.check_charge, charge).authentication_url == asked.authentication_url
    again = payment_row(db, request.order_id)
    assert (again.status, again.updated_at) == ("Pending", waiting.updated_at)
