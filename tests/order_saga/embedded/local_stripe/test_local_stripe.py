"""The local Stripe server speaks Stripe to the official SDK: errors, idempotency, lists."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import pytest
import requests
import stripe

from order_saga.embedded.local_stripe.encoding import decode_form
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread


@pytest.fixture
def client(stripe_server: tuple[LocalStripe, str]) -> stripe.StripeClient:
    return make_stripe_client(Settings(stripe_api_base=stripe_server[1]))


def intent_params(payment_method: str = "pm_card_visa", amount: int = 3998) -> dict[str, object]:
    return {
        "amount": amount,
        "currency": "usd",
        "payment_method": payment_method,
        "payment_method_types": ["card"],
        "metadata": {"order_id": "o-1"},
    }


def test_form_decoding_nests_like_stripe() -> None:
    assert decode_form("metadata[order_id]=o-1&payment_method_types[0]=card&amount=5") == {
        "metadata": {"order_id": "o-1"},
        "payment_method_types": ["card"],
        "amount": "5",
    }


def test_create_confirm_refund_round_trip(client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(params=intent_params())  # type: ignore[arg-type]
    assert (intent.status, intent.metadata["order_id"]) == ("requires_confirmation", "o-1")
    confirmed = client.v1.payment_intents.confirm(intent.id)
    assert (confirmed.status, confirmed.amount_received) == ("succeeded", 3998)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert (refund.status, refund.amount) == ("succeeded", 3998)
    with pytest.raises(stripe.InvalidRequestError, match="already been refunded"):
        client.v1.refunds.create(params={"payment_intent": intent.id})
    listed = client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.id for r in listed.data] == [refund.id]
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
    retrieved = client.v1.refunds.retrieve(refund.id)
    assert (retrieved.id, retrieved.status, retrieved.payment_intent) == (
        refund.id,
        "succeeded",
        intent.id,
    )


def test_unknown_objects_and_paths_answer_stripes_error_json(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.refunds.retrieve("re_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    assert "No such refund: 're_nope'" in str(missing.value)
    with pytest.raises(stripe.InvalidRequestError, match=r"Unrecognized request URL \(GET"):
        client.raw_request("get", "/v1/no_such_thing")


@pytest.mark.parametrize(
    ("payment_method", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
        ("pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
    ],
)
def test_test_cards_decline_with_stripes_codes(
    client: stripe.StripeClient, payment_method: str, code: str, decline_code: str
) -> None:
    with pytest.raises(stripe.CardError) as raised:
        client.v1.payment_intents.create(
            params={**intent_params(payment_method), "confirm": True}  # type: ignore[typeddict-item]
        )
    assert raised.value.http_status == 402
    assert raised.value.code == code
    assert raised.value.error is not None and raised.value.error.decline_code == decline_code


def test_idempotency_key_replays_the_first_answer(
    client: stripe.StripeClient, stripe_server: tuple[LocalStripe, str]
) -> None:
    key = f"k-{uuid.uuid4()}"
    first = client.v1.payment_intents.create(
        params=intent_params(),
        options={"idempotency_key": key},  # type: ignore[arg-type]
    )
    again = client.v1.payment_intents.create(
        params=intent_params(),
        options={"idempotency_key": key},  # type: ignore[arg-type]
    )
    assert again.id == first.id
    assert stripe_server[0].requests_with_key(key) == 2
    assert sum(1 for i in stripe_server[0].ledger.intents.values() if i["id"] == first.id) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create(
            params=intent_params(amount=1),
            options={"idempotency_key": key},  # type: ignore[arg-type]
        )


def test_errors_are_replayed_too(client: stripe.StripeClient) -> None:
    key = f"k-{uuid.uuid4()}"
    params = {**intent_params("pm_card_chargeDeclined"), "confirm": True}
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            client.v1.payment_intents.create(
                params=params,
                options={"idempotency_key": key},  # type: ignore[arg-type]
            )


def test_unknown_payment_method_and_bad_key_are_stripes_errors(
    stripe_server: tuple[LocalStripe, str], client: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.InvalidRequestError, match="No such PaymentMethod"):
        client.v1.payment_intents.create(params=intent_params("pm_nope"))  # type: ignore[arg-type]
    anonymous = stripe.StripeClient("not-a-key", base_addresses={"api": stripe_server[1]})
    with pytest.raises(stripe.AuthenticationError):
        anonymous.v1.payment_intents.list()


@pytest.fixture
def fresh() -> Iterator[stripe.StripeClient]:
    """A server of its own, so a test can count every object it holds."""
    with serve_in_thread(LocalStripe()) as base_url:
        yield make_stripe_client(Settings(stripe_api_base=base_url))


def test_lists_page_like_stripe_so_auto_paging_ends(fresh: stripe.StripeClient) -> None:
    created = [fresh.v1.payment_intents.create(params=intent_params()).id for _ in range(23)]  # type: ignore[arg-type]
    pages = fresh.v1.payment_intents.list(params={"limit": 5})
    seen = [intent.id for intent in itertools.islice(pages.auto_paging_iter(), 100)]
    assert seen == created[::-1]  # newest first, each once, and the iteration ends

    middle = fresh.v1.payment_intents.list(params={"ending_before": created[10], "limit": 3})
    assert [i.id for i in middle.data] == [created[13], created[12], created[11]]
    assert middle.has_more
    last = fresh.v1.payment_intents.list(params={"starting_after": created[2], "limit": 5})
    assert [i.id for i in last.data] == [created[1], created[0]] and not last.has_more


def test_a_list_limit_out_of_range_or_an_unknown_cursor_is_refused(
    fresh: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.InvalidRequestError, match="limit"):
        fresh.v1.payment_intents.list(params={"limit": 101})
    with pytest.raises(stripe.InvalidRequestError, match="No such refund"):
        fresh.v1.refunds.list(params={"starting_after": "re_nope"})


def test_http_basic_auth_with_the_key_as_user_is_accepted(
    stripe_server: tuple[LocalStripe, str],
) -> None:
    url = f"{stripe_server[1]}/v1/refunds"
    assert requests.get(url, auth=("sk_test_anything", ""), timeout=10).status_code == 200
    refused = requests.get(url, auth=("not-a-key", ""), timeout=10)
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "invalid_request_error"


def test_lists_filtered_by_customer_or_intent_page_like_the_whole_list(
    fresh: stripe.StripeClient,
) -> None:
    ours, theirs = [], []
    for n in range(12):
        params = intent_params() | {"customer": "cus_a" if n % 3 else "cus_b", "confirm": True}
        intent = fresh.v1.payment_intents.create(params=params)  # type: ignore[arg-type]
        (ours if n % 3 else theirs).append(intent.id)
    pages = fresh.v1.payment_intents.list(params={"customer": "cus_a", "limit": 3})
    assert [i.id for i in pages.auto_paging_iter()] == ours[::-1]
    middle = fresh.v1.payment_intents.list(
        params={"customer": "cus_b", "ending_before": theirs[0], "limit": 2}
    )
    assert [i.id for i in middle.data] == [theirs[2], theirs[1]] and middle.has_more
    with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent"):
        fresh.v1.payment_intents.list(params={"customer": "cus_a", "starting_after": theirs[0]})

    intent = ours[0]
    refunds = [
        fresh.v1.refunds.create(params={"payment_intent": intent, "amount": 100}).id
        for _ in range(3)
    ]
    fresh.v1.refunds.create(params={"payment_intent": ours[1], "amount": 100})
    listed = fresh.v1.refunds.list(params={"payment_intent": intent, "limit": 2})
    assert [r.id for r in listed.auto_paging_iter()] == refunds[::-1]
