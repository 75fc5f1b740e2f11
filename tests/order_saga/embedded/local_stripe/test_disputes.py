"""Disputes and refunds after the sale, as the local Stripe server tells them: Stripe's test
card `pm_card_createDispute` is disputed as soon as it is charged; Stripe's test evidence
closes the dispute won or lost; a disputed charge is not refunded; partial refunds up to what
was captured, each announced as `charge.refunded`; disputes are kept through a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
import stripe

from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread
from tests.order_saga.embedded.local_stripe.test_webhooks import (
    SECRET,
    Receiver,
    receiver,
    wait_for,
)

__all__ = ["receiver"]  # the fixture: a webhook endpoint that verifies each event


def charge(base_url: str, card: str) -> tuple[stripe.StripeClient, stripe.PaymentIntent]:
    """Authorize 39.98 USD with `card` and capture it, as the saga does at pickup."""
    client = make_stripe_client(Settings(stripe_api_base=base_url))
    params = {"amount": 3998, "currency": "usd", "payment_method": card,
              "capture_method": "manual", "confirm": True}  # fmt: skip
    held = client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]
    return client, client.v1.payment_intents.capture(held.id)


def disputes_of(client: stripe.StripeClient, intent_id: str) -> list[stripe.Dispute]:
    return list(client.v1.disputes.list(params={"payment_intent": intent_id}).data)


@pytest.mark.parametrize(("evidence", "closed"), [("winning_evidence", "won"),
                                                   ("losing_evidence", "lost")])  # fmt: skip
def test_a_disputed_charge_is_told_answered_and_closed(
    receiver: Receiver, evidence: str, closed: str
) -> None:
    state = LocalStripe(webhook=WebhookEndpoint(receiver.url, SECRET), state_file=None)
    with serve_in_thread(state) as base_url:
        client, taken = charge(base_url, "pm_card_createDispute")
        [dispute] = disputes_of(client, taken.id)
        assert (dispute.status, dispute.reason, dispute.amount) == (
            "needs_response",
            "fraudulent",
            3998,
        )
        assert dispute.evidence_details.due_by > taken.created  # evidence is due later
        assert client.v1.charges.retrieve(str(taken.latest_charge)).disputed
        with pytest.raises(stripe.InvalidRequestError, match="charged back") as refused:
            client.v1.refunds.create(params={"payment_intent": taken.id, "amount": 1000})
        assert refused.value.code == "charge_disputed"
        answered = client.v1.disputes.update(
            dispute.id, params={"evidence": {"uncategorized_text": evidence}}
        )
        assert answered.status == closed
        with pytest.raises(stripe.InvalidRequestError, match="already closed"):
            client.v1.disputes.update(dispute.id, params={"evidence": {"uncategorized_text": "x"}})
        last = "charge.dispute.funds_reinstated" if closed == "won" else "charge.dispute.closed"
        wait_for(lambda: last in receiver.types())
    expected = ["charge.dispute.created", "charge.dispute.funds_withdrawn",
                "charge.dispute.updated", "charge.dispute.closed"]  # fmt: skip
    if closed == "won":
        expected.append("charge.dispute.funds_reinstated")
    assert [t for t in receiver.types() if t.startswith("charge.dispute.")] == expected
    refundable = closed == "won"
    with serve_in_thread(state) as base_url:
        client = make_stripe_client(Settings(stripe_api_base=base_url))
        if refundable:
            client.v1.refunds.create(params={"payment_intent": taken.id, "amount": 1000})
        else:
            with pytest.raises(stripe.InvalidRequestError, match="charged back"):
                client.v1.refunds.create(params={"payment_intent": taken.id, "amount": 1000})


def test_partial_refunds_up_to_what_was_captured_each_announced(receiver: Receiver) -> None:
    state = LocalStripe(webhook=WebhookEndpoint(receiver.url, SECRET), state_file=None)
    with serve_in_thread(state) as base_url:
        client, taken = charge(base_url, "pm_card_visa")
        client.v1.refunds.create(params={"payment_intent": taken.id, "amount": 1999})
        client.v1.refunds.create(params={"payment_intent": taken.id, "amount": 1000})
        with pytest.raises(stripe.InvalidRequestError, match="greater than unrefunded") as over:
            client.v1.refunds.create(params={"payment_intent": taken.id, "amount": 1000})
        assert over.value.code == "amount_too_large"
        client.v1.refunds.create(params={"payment_intent": taken.id})  # the rest: 999
        wait_for(lambda: receiver.types().count("charge.refunded") == 3)
    refunded = [e.data.object for e in receiver.events if e.type == "charge.refunded"]
    assert [c["amount_refunded"] for c in refunded] == [1999, 2999, 3998]
    assert [c["refunded"] for c in refunded] == [False, False, True]


def test_a_dispute_is_kept_through_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "stripe.json"
    first = LocalStripe(state_file=state_file)
    with serve_in_thread(first) as base_url:
        _, taken = charge(base_url, "pm_card_createDispute")
    first.close()
    again = LocalStripe(state_file=state_file)
    with serve_in_thread(again) as base_url:
        client = make_stripe_client(Settings(stripe_api_base=base_url))
        [dispute] = disputes_of(client, taken.id)
        assert dispute.status == "needs_response"
        with pytest.raises(stripe.InvalidRequestError, match="charged back"):
            client.v1.refunds.create(params={"payment_intent": taken.id})
    again.close()
