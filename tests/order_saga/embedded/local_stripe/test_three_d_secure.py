"""3-D Secure on the local server, as Stripe's test cards behave: the confirm asks for the
customer (`requires_action`, a page to visit), the page completes or fails it, and the answer
survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import stripe

from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread


def client_of(base_url: str) -> stripe.StripeClient:
    return make_stripe_client(Settings(stripe_api_base=base_url))


def needs_authentication(client: stripe.StripeClient, card: str) -> stripe.PaymentIntent:
    params = {
        "amount": 3998,
        "currency": "eur",
        "payment_method": card,
        "payment_method_types": ["card"],
        "capture_method": "manual",
        "confirm": True,
    }
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "card", ["pm_card_threeDSecure2Required", "pm_card_authenticationRequired"]
)
def test_a_card_that_asks_for_3ds_waits_for_the_customer_who_completes_it(
    stripe_server: tuple[LocalStripe, str], card: str
) -> None:
    client = client_of(stripe_server[1])
    waiting = needs_authentication(client, card)
    assert waiting.status == "requires_action"
    assert waiting.next_action is not None and waiting.next_action.type == "redirect_to_url"
    url = waiting.next_action.redirect_to_url.url
    assert url is not None and url.startswith(stripe_server[1])
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "39.98 EUR" in page.text
    assert f'action="/3ds/{waiting.id}/complete"' in page.text
    done = requests.post(f"{url}/complete", timeout=10)
    assert done.status_code == 200
    authorized = client.v1.payment_intents.retrieve(waiting.id)
    assert (authorized.status, authorized.amount_capturable, authorized.next_action) == (
        "requires_capture",
        3998,
        None,
    )
    again = requests.post(f"{url}/complete", timeout=10)  # nothing waits any more
    assert again.status_code == 409


def test_a_failed_authentication_leaves_the_intent_without_a_payment_method(
    stripe_server: tuple[LocalStripe, str],
) -> None:
    client = client_of(stripe_server[1])
    waiting = needs_authentication(client, "pm_card_threeDSecure2Required")
    assert waiting.next_action is not None
    assert requests.post(f"{waiting.next_action.redirect_to_url.url}/fail", timeout=10).ok
    failed = client.v1.payment_intents.retrieve(waiting.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error is not None
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
    assert client.v1.payment_intents.cancel(waiting.id).status == "canceled"  # nothing held


def test_the_customers_answer_survives_a_restart_and_hostile_ids_are_not_echoed(
    tmp_path: Path,
) -> None:
    state_file = tmp_path / "stripe.json"
    first = LocalStripe(state_file=state_file)
    with serve_in_thread(first) as base_url:
        waiting = needs_authentication(client_of(base_url), "pm_card_threeDSecure2Required")
        assert waiting.next_action is not None
        requests.post(f"{waiting.next_action.redirect_to_url.url}/complete", timeout=10)
        hostile = requests.get(f"{base_url}/3ds/<img src=x onerror=alert(1)>", timeout=10)
    first.close()
    assert hostile.status_code == 409 and "<img" not in hostile.text
    again = LocalStripe(state_file=state_file)
    with serve_in_thread(again) as base_url:
        kept = client_of(base_url).v1.payment_intents.retrieve(waiting.id)
    again.close()
    assert kept.status == "requires_capture"
