"""The worker logs what an operator needs, not two lines per Stripe request."""

from __future__ import annotations

import logging

import pytest

from order_saga.embedded.local_stripe.serving import serve_in_thread
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.logs import configure_logging
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client


def test_stripe_requests_log_nothing_at_info(caplog: pytest.LogCaptureFixture) -> None:
    stripe_logger = logging.getLogger("stripe")
    level = stripe_logger.level
    try:
        configure_logging()
        with caplog.at_level(logging.INFO), serve_in_thread(LocalStripe()) as base_url:
            client = make_stripe_client(Settings(stripe_api_base=base_url))
            client.v1.payment_intents.create(
                params={"amount": 100, "currency": "usd", "payment_method": "pm_card_visa"}
            )
        assert [r for r in caplog.records if r.name.startswith("stripe")] == []
    finally:
        stripe_logger.setLevel(level)
