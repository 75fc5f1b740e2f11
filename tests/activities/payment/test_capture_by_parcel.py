"""An order shipped in parcels from two warehouses is captured a parcel at a time, on both
databases against the local Stripe server: the authorization asks for multicapture, each
parcel's capture takes its part once (an answer lost takes nothing more), the row says
"partially captured" until the last parcel's capture takes the rest of what is owed and
releases what is not; without multicapture, nothing is taken by a parcel's capture."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.payment.contracts import CapturePaymentInput, RefundPaymentInput
from tests.activities.payment.test_payments import (
    charge,
    create_input,
    intents_for,
    payment_row,
    payments,
)


def parcel(held, order_id: str, amount: str, key: str, final: bool) -> CapturePaymentInput:  # type: ignore[no-untyped-def]
    return CapturePaymentInput(
        order_id=order_id,
        payment_intent_id=held.payment_intent_id,
        amount=Decimal(amount),
        currency="usd",
        idempotency_key=key,
        final=final,
    )


def test_each_parcel_is_captured_at_its_own_pickup_and_the_last_releases_the_rest(
    db: Engine, stripe_server
) -> None:  # type: ignore[no-untyped-def]
    stripe, base_url = stripe_server
    acts = payments(db, base_url)
    request = create_input(amount="59.97").model_copy(
        update={"capture_method": "manual", "multicapture": True}
    )
    held = charge(acts, request)
    assert held.authorized_only and held.multicapture
    key = request.idempotency_key
    east = parcel(held, request.order_id, "19.99", f"{key}/east", final=False)

    ActivityEnvironment().run(acts.capture_payment, east)
    ActivityEnvironment().run(acts.capture_payment, east)  # an answer lost: taken once

    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == (
        "requires_capture",
        1999,
        3998,
    )
    row = payment_row(db, request.order_id)
    assert (row.status, row.amount) == ("PartiallyCaptured", Decimal("19.99"))

    # The home parcel, one unit fewer than authorized (amended): the rest is released.
    home = parcel(held, request.order_id, "19.99", f"{key}/main", final=True)
    ActivityEnvironment().run(acts.capture_payment, home)

    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == (
        "succeeded",
        3998,
        0,
    )
    row = payment_row(db, request.order_id)
    assert (row.status, row.amount) == ("Captured", Decimal("39.98"))


def test_without_multicapture_a_parcels_capture_is_refused_and_takes_nothing(
    db: Engine, stripe_server
) -> None:  # type: ignore[no-untyped-def]
    stripe, base_url = stripe_server
    acts = payments(db, base_url)
    request = create_input(amount="59.97").model_copy(update={"capture_method": "manual"})
    held = charge(acts, request)
    assert not held.multicapture
    east = parcel(held, request.order_id, "19.99", f"{request.idempotency_key}/east", False)

    with pytest.raises(ApplicationError):
        ActivityEnvironment().run(acts.capture_payment, east)

    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("requires_capture", 0)
    assert payment_row(db, request.order_id).status == "Authorized"


def test_undone_after_a_parcels_capture_the_hold_is_released_and_the_part_refunded(
    db: Engine, stripe_server
) -> None:  # type: ignore[no-untyped-def]
    stripe, base_url = stripe_server
    acts = payments(db, base_url)
    request = create_input(amount="59.97").model_copy(
        update={"capture_method": "manual", "multicapture": True}
    )
    held = charge(acts, request)
    key = request.idempotency_key
    ActivityEnvironment().run(
        acts.capture_payment, parcel(held, request.order_id, "19.99", f"{key}/east", False)
    )

    undo = RefundPaymentInput(
        order_id=request.order_id, idempotency_key=key, payment_intent_id=held.payment_intent_id
    )
    done = ActivityEnvironment().run(acts.refund_payment, undo)

    assert done.action == "refunded"
    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == (
        "succeeded",
        1999,
        0,
    )
    refunds = [r for r in stripe.ledger.refunds.values() if r["payment_intent"] == intent["id"]]
    assert [r["amount"] for r in refunds] == [1999]
    assert payment_row(db, request.order_id).status == "Refunded"


def test_a_parcels_capture_asked_again_after_it_took_most_of_the_hold_takes_nothing_more(
    db: Engine, stripe_server
) -> None:  # type: ignore[no-untyped-def]
    """The answer to the bigger parcel's capture lost: asked again, with less left held than
    it takes, the request is the same (Stripe replays its answer) and nothing more is taken."""
    stripe, base_url = stripe_server
    acts = payments(db, base_url)
    request = create_input(amount="59.97").model_copy(
        update={"capture_method": "manual", "multicapture": True}
    )
    held = charge(acts, request)
    bigger = parcel(held, request.order_id, "39.98", f"{request.idempotency_key}/east", False)

    ActivityEnvironment().run(acts.capture_payment, bigger)
    again = ActivityEnvironment().run(acts.capture_payment, bigger)  # 19.99 left held

    assert again.amount == Decimal("39.98")
    [intent] = intents_for(stripe, request.order_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == (
        "requires_capture",
        3998,
        1999,
    )
