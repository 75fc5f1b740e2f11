"""Authorize now, capture later: the local server holds, captures, voids and lets expire an
authorization as Stripe does, with Stripe's errors for what a status does not allow."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import stripe

from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread

AUTHORIZE = {
    "amount": 3998,
    "currency": "usd",
    "payment_method": "pm_card_visa",
    "payment_method_types": ["card"],
    "capture_method": "manual",
    "confirm": True,
}


def client_of(base_url: str) -> stripe.StripeClient:
    return make_stripe_client(Settings(stripe_api_base=base_url))


@pytest.fixture
def client(stripe_server: tuple[LocalStripe, str]) -> stripe.StripeClient:
    return client_of(stripe_server[1])


def authorize(client: stripe.StripeClient) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params=AUTHORIZE)  # type: ignore[arg-type]


def test_a_confirmed_manual_intent_is_held_then_captured(client: stripe.StripeClient) -> None:
    held = authorize(client)
    assert (held.status, held.amount_capturable, held.amount_received) == (
        "requires_capture",
        3998,
        0,
    )
    with pytest.raises(stripe.InvalidRequestError, match="does not have a successful charge"):
        client.v1.refunds.create(params={"payment_intent": held.id})  # nothing taken yet
    captured = client.v1.payment_intents.capture(held.id)
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        3998,
        0,
    )
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.payment_intents.capture(held.id)
    assert again.value.code == "payment_intent_unexpected_state"
    assert "status of succeeded" in str(again.value)
    with pytest.raises(stripe.InvalidRequestError, match="status of succeeded"):
        client.v1.payment_intents.cancel(held.id)  # captured: only a refund gives it back
    assert client.v1.refunds.create(params={"payment_intent": held.id}).amount == 3998


def test_a_voided_authorization_cannot_be_captured(client: stripe.StripeClient) -> None:
    held = authorize(client)
    voided = client.v1.payment_intents.cancel(held.id)
    assert (voided.status, voided.amount_capturable, voided.amount_received) == ("canceled", 0, 0)
    with pytest.raises(stripe.InvalidRequestError, match="status of canceled"):
        client.v1.payment_intents.capture(held.id)


def test_a_capture_takes_at_most_what_was_authorized(client: stripe.StripeClient) -> None:
    held = authorize(client)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.payment_intents.capture(held.id, params={"amount_to_capture": 5000})
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount_to_capture")
    partial = client.v1.payment_intents.capture(held.id, params={"amount_to_capture": 1000})
    assert (partial.status, partial.amount_received) == ("succeeded", 1000)


def test_an_authorization_expires_after_its_hold_and_says_so_after_a_restart(
    tmp_path: Path,
) -> None:
    state_file = tmp_path / "stripe.json"
    state = LocalStripe(ledger=Ledger(authorization_seconds=0), state_file=state_file)
    with serve_in_thread(state) as base_url:
        held = authorize(client_of(base_url))
        assert held.status == "requires_capture" and held.capture_before is not None
        with pytest.raises(stripe.InvalidRequestError, match="status of canceled"):
            client_of(base_url).v1.payment_intents.capture(held.id)
    state.close()
    again = LocalStripe(state_file=state_file)
    with serve_in_thread(again) as base_url:
        expired = client_of(base_url).v1.payment_intents.retrieve(held.id)
    again.close()
    assert (expired.status, expired.cancellation_reason) == ("canceled", "automatic")


def test_automatic_capture_stays_the_default(client: stripe.StripeClient) -> None:
    params = {k: v for k, v in AUTHORIZE.items() if k != "capture_method"}
    charged = client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]
    assert (charged.status, charged.amount_received) == ("succeeded", 3998)
    with pytest.raises(stripe.InvalidRequestError, match="Invalid capture_method"):
        client.v1.payment_intents.create(params={**AUTHORIZE, "capture_method": "later"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("card", "settled"),
    [("pm_card_pendingRefund", "succeeded"), ("pm_card_pendingRefundFails", "failed")],
)
def test_a_refund_of_a_card_whose_refunds_settle_later_is_pending_first(
    tmp_path: Path, card: str, settled: str
) -> None:
    state = LocalStripe(ledger=Ledger(refund_settle_seconds=0.5), state_file=tmp_path / "s.json")
    with serve_in_thread(state) as base_url:
        client = client_of(base_url)
        params = {k: v for k, v in AUTHORIZE.items() if k != "capture_method"}
        charged = client.v1.payment_intents.create(params={**params, "payment_method": card})  # type: ignore[arg-type]
        refund = client.v1.refunds.create(params={"payment_intent": charged.id})
        assert refund.status == "pending"
        deadline = time.monotonic() + 10
        while client.v1.refunds.retrieve(refund.id).status == "pending":
            assert time.monotonic() < deadline, "the refund never settled"
            time.sleep(0.1)  # the bank's delay, configured short
        listed = client.v1.refunds.list(params={"payment_intent": charged.id}).data
    state.close()
    assert [r.status for r in listed] == [settled]


def test_an_authorization_s_charge_says_until_when_it_can_be_captured(
    client: stripe.StripeClient,
) -> None:
    before = int(time.time())
    held = authorize(client)
    charge = client.v1.charges.retrieve(str(held.latest_charge))
    card = charge.payment_method_details.card  # type: ignore[union-attr]
    assert card is not None and card.capture_before is not None
    # Stripe's deadline for the capture: about 7 days for an online card authorization.
    assert before + 7 * 24 * 3600 <= card.capture_before <= int(time.time()) + 7 * 24 * 3600
    assert (charge.amount, charge.amount_captured, charge.captured) == (3998, 0, False)
    client.v1.payment_intents.capture(held.id)
    taken = client.v1.charges.retrieve(str(held.latest_charge))
    assert (taken.amount_captured, taken.captured, taken.refunded) == (3998, True, False)
    assert taken.payment_method_details.card.capture_before is None  # type: ignore[union-attr]
    client.v1.refunds.create(params={"payment_intent": held.id, "amount": 998})
    partly = client.v1.charges.retrieve(str(held.latest_charge))
    assert (partly.amount_refunded, partly.refunded) == (998, False)
    with pytest.raises(stripe.InvalidRequestError, match="No such charge"):
        client.v1.charges.retrieve("ch_nope")
