"""Against Stripe itself, in test mode, when STRIPE_API_KEY holds a test key."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.payment.activities import PaymentActivities
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import (
    CapturePaymentInput,
    ChargePaymentInput,
    CreatePaymentIntentInput,
    RefundPaymentInput,
)
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client

KEY = os.environ.get("STRIPE_API_KEY", "")
pytestmark = pytest.mark.skipif(
    not KEY.startswith("sk_test_"),
    reason="STRIPE_API_KEY is not a Stripe test key (sk_test_...): real-Stripe tests skipped",
)


def activities(engine: Engine) -> PaymentActivities:
    client = make_stripe_client(Settings(stripe_api_key=KEY, stripe_api_base=None))
    return PaymentActivities(engine, client, GatewayBreaker())


def charge(
    acts: PaymentActivities, payment_method: str, capture_method: str = "automatic"
) -> tuple[str, str]:
    order_id = f"real-{uuid.uuid4().hex[:10]}"
    key = f"order-{order_id}"
    env = ActivityEnvironment()
    intent = env.run(
        acts.create_payment_intent,
        CreatePaymentIntentInput(
            order_id=order_id,
            customer_id="cust-test",
            amount=Decimal("12.34"),
            currency="usd",
            payment_method=payment_method,
            idempotency_key=key,
            capture_method=capture_method,  # type: ignore[arg-type]
        ),
    )
    env.run(
        acts.charge_payment,
        ChargePaymentInput(
            order_id=order_id,
            payment_intent_id=intent.payment_intent_id,
            amount=Decimal("12.34"),
            currency="usd",
            idempotency_key=key,
        ),
    )
    return order_id, intent.payment_intent_id


def test_real_stripe_charge_and_refund(sqlite_engine: Engine) -> None:
    acts = activities(sqlite_engine)
    order_id, intent_id = charge(acts, "pm_card_visa")
    refunded = ActivityEnvironment().run(
        acts.refund_payment,
        RefundPaymentInput(
            order_id=order_id,
            idempotency_key=f"order-{order_id}",
            payment_intent_id=intent_id,
        ),
    )
    assert refunded.action == "refunded"


def test_real_stripe_decline(sqlite_engine: Engine) -> None:
    with pytest.raises(ApplicationError) as raised:
        charge(activities(sqlite_engine), "pm_card_chargeDeclinedInsufficientFunds")
    assert (raised.value.type, raised.value.non_retryable) == ("InsufficientFunds", True)


def test_real_stripe_authorize_then_capture_or_void(sqlite_engine: Engine) -> None:
    """An authorization is captured once (the row Captured), another voided (Voided): no
    refund for the void, as a real merchant integration does."""
    acts, env = activities(sqlite_engine), ActivityEnvironment()
    order_id, intent_id = charge(acts, "pm_card_visa", capture_method="manual")
    captured = env.run(
        acts.capture_payment,
        CapturePaymentInput(
            order_id=order_id,
            payment_intent_id=intent_id,
            amount=Decimal("12.34"),
            currency="usd",
            idempotency_key=f"order-{order_id}",
        ),
    )
    assert captured.payment_intent_id == intent_id
    held_id, held_intent = charge(acts, "pm_card_visa", capture_method="manual")
    voided = env.run(
        acts.refund_payment,
        RefundPaymentInput(
            order_id=held_id, idempotency_key=f"order-{held_id}", payment_intent_id=held_intent
        ),
    )
    assert (voided.action, voided.refund_id) == ("voided", None)
