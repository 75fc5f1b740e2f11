"""Payment activities against the local Stripe server, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.payment.activities import PaymentActivities
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import (
    ChargePaymentInput,
    ChargeResult,
    CreatePaymentIntentInput,
    RefundPaymentInput,
)
from activities.payment.tables import Payment
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client


def payments(db: Engine, base_url: str) -> PaymentActivities:
    client = make_stripe_client(Settings(stripe_api_base=base_url))
    return PaymentActivities(db, client, GatewayBreaker())


def create_input(payment_method: str = "pm_card_visa", amount: str = "39.98"):
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    return CreatePaymentIntentInput(
        order_id=order_id,
        customer_id="cust-1",
        amount=Decimal(amount),
        currency="usd",
        payment_method=payment_method,
        idempotency_key=f"order-{order_id}",
    )


def charge(acts: PaymentActivities, request: CreatePaymentIntentInput) -> ChargeResult:
    """Both halves of the charge, as the workflow runs them."""
    env = ActivityEnvironment()
    intent = env.run(acts.create_payment_intent, request)
    return env.run(
        acts.charge_payment,
        ChargePaymentInput(
            order_id=request.order_id,
            payment_intent_id=intent.payment_intent_id,
            amount=request.amount,
            currency=request.currency,
            idempotency_key=request.idempotency_key,
        ),
    )


def payment_row(db: Engine, order_id: str) -> Payment:
    with transaction(db) as session:
        return session.exec(select(Payment).where(Payment.order_id == order_id)).one()


def intents_for(stripe: LocalStripe, order_id: str) -> list[dict[str, object]]:
    return stripe.ledger.intents_of_order(order_id)


def test_intent_id_is_stored_before_money_moves(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    request = create_input()
    intent = ActivityEnvironment().run(payments(db, base_url).create_payment_intent, request)
    row = payment_row(db, request.order_id)
    assert (row.status, row.transaction_id) == ("Pending", intent.payment_intent_id)
    assert row.updated_at == row.created_at  # written once, with the intent's id
    [created] = intents_for(stripe, request.order_id)
    assert (created["status"], created["amount_received"]) == ("requires_confirmation", 0)


def test_charge_and_refund_are_idempotent(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    acts, env = payments(db, base_url), ActivityEnvironment()
    request = create_input()

    first = charge(acts, request)
    assert charge(acts, request) == first
    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount"], intent["id"]) == (
        "succeeded",
        3998,
        first.payment_intent_id,
    )
    row = payment_row(db, request.order_id)
    assert (row.status, row.amount, row.transaction_id) == (
        "Captured",
        Decimal("39.98"),
        first.payment_intent_id,
    )
    assert row.gateway_response is not None and row.gateway_response["status"] == "succeeded"

    refund = RefundPaymentInput(
        order_id=request.order_id,
        idempotency_key=request.idempotency_key,
        payment_intent_id=first.payment_intent_id,
    )
    assert env.run(acts.refund_payment, refund).action == "refunded"
    assert env.run(acts.refund_payment, refund).action == "already_refunded"
    assert [r["amount"] for r in stripe.ledger.refunds_of(first.payment_intent_id)] == [3998]
    assert payment_row(db, request.order_id).status == "Refunded"


def test_refund_with_a_forgotten_key_still_refunds_once(db: Engine, stripe_server) -> None:
    """Stripe drops keys after 24 h; the refund looks before it asks again."""
    stripe, base_url = stripe_server
    acts, env = payments(db, base_url), ActivityEnvironment()
    request = create_input()
    charged = charge(acts, request)
    first = RefundPaymentInput(
        order_id=request.order_id,
        idempotency_key=f"{request.idempotency_key}-a",
        payment_intent_id=charged.payment_intent_id,
    )
    env.run(acts.refund_payment, first)
    with transaction(db) as session:  # as if the row update had been lost
        row = session.exec(select(Payment).where(Payment.order_id == request.order_id)).one()
        row.status = "Captured"
    later = first.model_copy(update={"idempotency_key": f"{request.idempotency_key}-b"})
    assert env.run(acts.refund_payment, later).action == "refunded"
    assert len(stripe.ledger.refunds_of(charged.payment_intent_id)) == 1


def test_decline_is_final_and_recorded(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    request = create_input("pm_card_chargeDeclinedInsufficientFunds")
    with pytest.raises(ApplicationError) as raised:
        charge(payments(db, base_url), request)
    assert (raised.value.type, raised.value.non_retryable) == ("InsufficientFunds", True)
    row = payment_row(db, request.order_id)
    assert row.status == "Failed"
    assert row.gateway_response is not None
    assert row.gateway_response["error"]["decline_code"] == "insufficient_funds"
    assert [i["status"] for i in intents_for(stripe, request.order_id)] == [
        "requires_payment_method"
    ]


def test_refund_of_a_declined_charge_cancels_the_intent(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    acts, env = payments(db, base_url), ActivityEnvironment()
    request = create_input("pm_card_chargeDeclined")
    with pytest.raises(ApplicationError):
        charge(acts, request)
    refund = RefundPaymentInput(order_id=request.order_id, idempotency_key=request.idempotency_key)
    assert env.run(acts.refund_payment, refund).action == "cancelled"
    assert env.run(acts.refund_payment, refund).action == "cancelled"
    [intent] = intents_for(stripe, request.order_id)
    assert intent["status"] == "canceled"
    assert stripe.ledger.refunds_of(str(intent["id"])) == []


def test_refund_without_a_charge_calls_nothing(db: Engine, stripe_server) -> None:
    stripe, base_url = stripe_server
    before = len(stripe.requests)
    result = ActivityEnvironment().run(
        payments(db, base_url).refund_payment,
        RefundPaymentInput(order_id="never-charged-" + uuid.uuid4().hex, idempotency_key="k"),
    )
    assert result.action == "nothing_to_refund"
    assert len(stripe.requests) == before


def test_processing_error_is_final(db: Engine, stripe_server) -> None:
    """Stripe keeps the answer under the key: a retry of the same charge would replay it."""
    _, base_url = stripe_server
    with pytest.raises(ApplicationError) as raised:
        charge(payments(db, base_url), create_input("pm_card_chargeDeclinedProcessingError"))
    assert (raised.value.type, raised.value.non_retryable) == ("ProcessingError", True)
