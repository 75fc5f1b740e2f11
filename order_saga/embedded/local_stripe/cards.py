"""Stripe's test payment methods, the declines they stand for, and the card options an
intent keeps."""

from __future__ import annotations

from dataclasses import dataclass

from order_saga.embedded.local_stripe.answers import Json, StripeFailure


@dataclass(frozen=True)
class Decline:
    code: str
    decline_code: str | None
    message: str


SUCCEEDING = frozenset(
    {
        "pm_card_visa",
        "pm_card_visa_debit",
        "pm_card_mastercard",
        "pm_card_amex",
        "pm_card_discover",
        "pm_card_us",
        "pm_card_refundFail",
        "pm_card_refundFailsOnce",
        "pm_card_pendingRefund",
        "pm_card_pendingRefundFails",
        "pm_card_createDispute",
    }
)
# Stripe's test card whose charge is disputed as soon as it is made.
DISPUTED = frozenset({"pm_card_createDispute"})
REFUND_FAILS = frozenset({"pm_card_refundFail"})
# A local test card: its bank refuses an intent's first refund and accepts the next (the
# issuer fixed, a person retries).
REFUND_FAILS_ONCE = frozenset({"pm_card_refundFailsOnce"})
# Refunds that settle later, as a bank's can: pending first, then succeeded (Stripe's
# pm_card_pendingRefund), or failed (a local test card: the refund the bank returns later).
REFUND_SETTLES: dict[str, str] = {
    "pm_card_pendingRefund": "succeeded",
    "pm_card_pendingRefundFails": "failed",
}
# Cards whose bank asks for 3-D Secure: the confirm answers `requires_action` and the customer
# completes (or fails) the authentication on the page `next_action` names.
AUTHENTICATION_REQUIRED = frozenset(
    {"pm_card_threeDSecure2Required", "pm_card_authenticationRequired"}
)

DECLINES: dict[str, Decline] = {
    "pm_card_chargeDeclined": Decline(
        "card_declined", "generic_decline", "Your card was declined."
    ),
    "pm_card_chargeDeclinedInsufficientFunds": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "pm_card_chargeDeclinedExpiredCard": Decline(
        "expired_card", "expired_card", "Your card has expired."
    ),
    "pm_card_chargeDeclinedFraudulent": Decline(
        "card_declined", "fraudulent", "Your card was declined."
    ),
    "pm_card_chargeDeclinedIncorrectCvc": Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "pm_card_chargeDeclinedProcessingError": Decline(
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}


def is_known(payment_method: str) -> bool:
    """Whether Stripe would recognise this test PaymentMethod."""
    return (
        payment_method in SUCCEEDING
        or payment_method in DECLINES
        or payment_method in AUTHENTICATION_REQUIRED
    )


def card_options(params: Json) -> Json:
    """The card's options the intent keeps: whether multicapture was asked for."""
    card = (params.get("payment_method_options") or {}).get("card") or {}
    asked = str(card.get("request_multicapture") or "never")
    if asked not in ("if_available", "never"):
        raise StripeFailure(
            400,
            "invalid_request_error",
            "Invalid request_multicapture: must be one of if_available or never",
            param="payment_method_options[card][request_multicapture]",
        )
    return {"request_multicapture": asked}
