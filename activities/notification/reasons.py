"""Why an order did not go through, as the customer reads it: no error codes, no blame."""

from __future__ import annotations

PLAIN_WORDS = {
    "CardDeclined": "your card was declined by your bank",
    "PaymentDeclined": "your card was declined by your bank",
    "InsufficientFunds": "your bank declined the payment for insufficient funds",
    "ExpiredCard": "the card has expired",
    "Fraudulent": "your bank declined the payment",
    "ProcessingError": "your bank could not process the payment",
    "PaymentRejected": "the payment was not accepted",
    "AuthenticationFailed": "the payment's confirmation with your bank did not succeed",
    "AuthenticationTimedOut": "the payment was not confirmed with your bank in time",
    "CaptureFailed": "the payment could not be completed",
    "OutOfStock": "an item in it is no longer in stock",
    "UnknownProduct": "an item in it is no longer sold",
    "PriceMismatch": "a price changed since you placed it",
    "ShipmentRejected": "we cannot ship to the address given",
    "DeadlineExpired": "we could not get it ready in time",
    "RiskBlocked": "we could not accept it",
    "ReviewDeclined": "we could not accept it",
    "ReviewTimedOut": "we could not confirm it in time",
}
FALLBACK = "we could not complete it"


def in_plain_words(error_type: str | None) -> str:
    """The reason a customer is given for `error_type` (an unknown one gets a general
    sentence: a new failure never shows its code)."""
    return PLAIN_WORDS.get(error_type or "", FALLBACK)
