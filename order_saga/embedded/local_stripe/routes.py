"""Stripe's API paths the local server answers, each a call on the ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from order_saga.embedded.local_stripe.answers import Json
from order_saga.embedded.local_stripe.encoding import list_of
from order_saga.embedded.local_stripe.ledger import Ledger

Action = Callable[[Ledger, dict[str, str], Json, Any], Json]
ROUTES: list[tuple[str, str, Action]] = [
    ("POST", "/v1/payment_intents", lambda led, m, p, q: led.create_intent(p)),
    (
        "GET",
        "/v1/payment_intents",
        lambda led, m, p, q: list_of(
            led.intent_index,
            led.intent_index.group(q.get("customer")),
            led.intents,
            "/v1/payment_intents",
            q,
            "payment_intent",
        ),
    ),
    ("GET", "/v1/payment_intents/{id}", lambda led, m, p, q: led.retrieve_intent(m["id"])),
    (
        "POST",
        "/v1/payment_intents/{id}/confirm",
        lambda led, m, p, q: led.confirm_intent(m["id"], p),
    ),
    ("POST", "/v1/payment_intents/{id}/cancel", lambda led, m, p, q: led.cancel_intent(m["id"], p)),
    (
        "POST",
        "/v1/payment_intents/{id}/capture",
        lambda led, m, p, q: led.capture_intent(m["id"], p),
    ),
    ("GET", "/v1/charges/{id}", lambda led, m, p, q: led.retrieve_charge(m["id"])),
    ("GET", "/v1/disputes/{id}", lambda led, m, p, q: led.retrieve_dispute(m["id"])),
    ("POST", "/v1/disputes/{id}", lambda led, m, p, q: led.update_dispute(m["id"], p)),
    (
        "GET",
        "/v1/disputes",
        lambda led, m, p, q: list_of(
            led.dispute_index,
            led.dispute_index.group(q.get("payment_intent") or None),
            led.disputes,
            "/v1/disputes",
            q,
            "dispute",
        ),
    ),
    ("POST", "/v1/refunds", lambda led, m, p, q: led.create_refund(p)),
    ("GET", "/v1/refunds/{id}", lambda led, m, p, q: led.retrieve_refund(m["id"])),
    (
        "GET",
        "/v1/refunds",
        lambda led, m, p, q: list_of(
            led.refund_index,
            led.refund_index.group(q.get("payment_intent") or None),
            led.settled_refunds(),
            "/v1/refunds",
            q,
            "refund",
        ),
    ),
]
