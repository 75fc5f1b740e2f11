"""Fault injection and state that survives a restart, as tests and people configure them."""

from __future__ import annotations

from pathlib import Path

import pytest
import stripe

from order_saga.embedded.local_stripe.faults import Faults
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread


def client(base_url: str, retries: int = 0) -> stripe.StripeClient:
    return make_stripe_client(
        Settings(stripe_api_base=base_url, stripe_max_network_retries=retries)
    )


def test_fault_spec_is_parsed_and_typos_are_named() -> None:
    faults = Faults.parse("execute_then_timeout=0.2, http_500=0.1,http_429=0.05,latency_ms=50")
    assert faults.rates == {"execute_then_timeout": 0.2, "http_500": 0.1, "http_429": 0.05}
    assert faults.latency_ms == 50
    with pytest.raises(ValueError, match=r"'http_503=0\.1': unknown fault"):
        Faults.parse("http_503=0.1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults.parse("http_500=5")


def test_rates_pick_faults_in_proportion() -> None:
    faults = Faults.parse("http_500=0.25,http_429=0.25,seed=7")
    drawn = [faults.draw("/v1/payment_intents") for _ in range(4000)]
    assert 800 < drawn.count("http_500") < 1200
    assert 800 < drawn.count("http_429") < 1200
    assert 1800 < drawn.count(None) < 2200


def test_injected_errors_reach_the_sdk_as_stripes_errors() -> None:
    state = LocalStripe(faults=Faults.parse("http_429=1"))
    with serve_in_thread(state) as base_url:
        with pytest.raises(stripe.RateLimitError):
            client(base_url).v1.payment_intents.list()
        state.faults = Faults.parse("http_500=1")
        with pytest.raises(stripe.APIError):
            client(base_url).v1.payment_intents.list()
        state.faults = Faults.parse("execute_then_timeout=1")
        with pytest.raises(stripe.APIConnectionError):
            client(base_url).v1.payment_intents.create(
                params={"amount": 100, "currency": "usd", "payment_method": "pm_card_visa"}
            )
        assert len(state.ledger.intents) == 1  # it ran; only the answer was lost


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "stripe.json"
    params = {"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    with serve_in_thread(LocalStripe(state_file=state_file)) as base_url:
        first = client(base_url).v1.payment_intents.create(
            params=params,
            options={"idempotency_key": "restart-key"},  # type: ignore[arg-type]
        )
    with serve_in_thread(LocalStripe(state_file=state_file)) as base_url:
        again = client(base_url).v1.payment_intents.create(
            params=params,
            options={"idempotency_key": "restart-key"},  # type: ignore[arg-type]
        )
        assert again.id == first.id
        assert client(base_url).v1.payment_intents.retrieve(first.id).status == "succeeded"


def test_refund_fail_card_charges_but_cannot_be_refunded() -> None:
    with serve_in_thread(LocalStripe()) as base_url:
        stripe_client = client(base_url)
        intent = stripe_client.v1.payment_intents.create(
            params={
                "amount": 700,
                "currency": "usd",
                "payment_method": "pm_card_refundFail",
                "confirm": True,
            }
        )
        assert intent.status == "succeeded"
        refund = stripe_client.v1.refunds.create(params={"payment_intent": intent.id})
        assert refund.status == "failed"
