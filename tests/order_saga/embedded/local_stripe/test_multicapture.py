"""Multicapture on the local server, as Stripe's: an authorization that asked for it is
captured a parcel at a time (`final_capture=false`), the rest held; a final capture or a
cancel releases what is left; one that did not ask is refused naming `final_capture`; every
capture survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
import stripe

from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread

AUTHORIZE = {
    "amount": 5000,
    "currency": "usd",
    "payment_method": "pm_card_visa",
    "payment_method_types": ["card"],
    "capture_method": "manual",
    "payment_method_options": {"card": {"request_multicapture": "if_available"}},
    "confirm": True,
}


def client_of(base_url: str) -> stripe.StripeClient:
    return make_stripe_client(Settings(stripe_api_base=base_url))


def authorize(client: stripe.StripeClient, **changes: object) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params={**AUTHORIZE, **changes})  # type: ignore[arg-type]


def capture(
    client: stripe.StripeClient, intent_id: str, amount: int, final: bool
) -> stripe.PaymentIntent:
    params = {"amount_to_capture": amount, "final_capture": final}
    return client.v1.payment_intents.capture(intent_id, params=params)  # type: ignore[arg-type]


def test_each_parcel_is_captured_on_its_own_and_the_last_releases_the_rest(
    stripe_server: tuple[LocalStripe, str],
) -> None:
    client = client_of(stripe_server[1])
    held = authorize(client)
    charge = client.v1.charges.retrieve(str(held.latest_charge))
    card = charge.payment_method_details.card  # type: ignore[union-attr]
    assert card is not None and card.multicapture is not None
    assert card.multicapture.status == "available"

    first = capture(client, held.id, 2000, final=False)
    assert (first.status, first.amount_received, first.amount_capturable) == (
        "requires_capture",
        2000,
        3000,
    )
    last = capture(client, held.id, 1500, final=True)  # the rest (15.00) is released
    assert (last.status, last.amount_received, last.amount_capturable) == ("succeeded", 3500, 0)
    refund = client.v1.refunds.create(params={"payment_intent": held.id, "amount": 3500})
    assert refund.amount == 3500
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"payment_intent": held.id, "amount": 1})


def test_a_cancel_after_a_partial_capture_keeps_what_was_taken_and_releases_the_rest(
    stripe_server: tuple[LocalStripe, str],
) -> None:
    client = client_of(stripe_server[1])
    held = authorize(client)
    capture(client, held.id, 2000, final=False)

    ended = client.v1.payment_intents.cancel(held.id)

    assert (ended.status, ended.amount_received, ended.amount_capturable) == ("succeeded", 2000, 0)


def test_final_capture_false_without_multicapture_is_refused_naming_it(
    stripe_server: tuple[LocalStripe, str],
) -> None:
    client = client_of(stripe_server[1])
    held = authorize(client, payment_method_options={})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        capture(client, held.id, 2000, final=False)

    assert refused.value.param == "final_capture"
    again = client.v1.payment_intents.retrieve(held.id)
    assert (again.status, again.amount_received, again.amount_capturable) == (
        "requires_capture",
        0,
        5000,
    )


def test_partial_captures_survive_a_restart(tmp_path: Path) -> None:
    journal = tmp_path / "stripe.json"
    first = LocalStripe(state_file=journal)
    with serve_in_thread(first) as base_url:
        held = authorize(client_of(base_url))
        capture(client_of(base_url), held.id, 1200, final=False)
    first.close()
    again = LocalStripe(state_file=journal)
    with serve_in_thread(again) as base_url:
        kept = client_of(base_url).v1.payment_intents.retrieve(held.id)
        assert (kept.status, kept.amount_received, kept.amount_capturable) == (
            "requires_capture",
            1200,
            3800,
        )
        last = capture(client_of(base_url), held.id, 3800, final=True)
        assert (last.status, last.amount_received) == ("succeeded", 5000)
    again.close()
