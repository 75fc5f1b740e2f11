"""The Stripe client and how its failures map onto Temporal's retry decisions."""

from __future__ import annotations

from typing import Any

import stripe
from temporalio.exceptions import ApplicationError

from order_saga import errors
from order_saga.settings import Settings

# Decline codes that name a reason of their own; everything else is a plain CardDeclined.
_DECLINE_TYPES: dict[str, type[errors.PaymentDeclined]] = {
    "insufficient_funds": errors.InsufficientFunds,
    "expired_card": errors.ExpiredCard,
    "fraudulent": errors.Fraudulent,
    "stolen_card": errors.Fraudulent,
    "lost_card": errors.Fraudulent,
}


def make_stripe_client(settings: Settings) -> stripe.StripeClient:
    """One client per worker; retries and timeouts are set here, not left to SDK defaults."""
    base = settings.stripe_base
    return stripe.StripeClient(
        settings.stripe_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=settings.stripe_max_network_retries,
        http_client=stripe.RequestsClient(timeout=settings.stripe_timeout_seconds),
    )


def error_body(exc: stripe.StripeError) -> dict[str, Any]:
    """Stripe's error JSON, for the payments row."""
    body = exc.json_body
    return body if isinstance(body, dict) else {"error": {"message": str(exc)}}


def decline_type(exc: stripe.CardError) -> type[errors.PaymentDeclined] | None:
    """The business failure a card error stands for, or None when it is worth retrying."""
    if exc.code == "processing_error":
        return None
    decline_code = exc.error.decline_code if exc.error else None
    return (
        _DECLINE_TYPES.get(decline_code or "")
        or _DECLINE_TYPES.get(exc.code or "")
        or (errors.CardDeclined)
    )


def classify(exc: stripe.StripeError) -> ApplicationError:
    """Turn an SDK exception into the ApplicationError Temporal should act on."""
    message = exc.user_message or str(exc)
    if isinstance(exc, stripe.CardError):
        declined = decline_type(exc)
        if declined is not None:
            return ApplicationError(message, type=declined.type, non_retryable=True)
        return ApplicationError(message, type="ProcessingError")
    if isinstance(exc, stripe.RateLimitError):
        return ApplicationError(message, type="RateLimited")
    if isinstance(exc, stripe.APIConnectionError):
        return ApplicationError(message, type="GatewayUnreachable")
    if isinstance(exc, stripe.IdempotencyError):
        return ApplicationError(message, type="IdempotencyConflict", non_retryable=True)
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return ApplicationError(message, type="GatewayAuthentication", non_retryable=True)
    if isinstance(exc, stripe.InvalidRequestError):
        return ApplicationError(message, type=errors.PaymentRejected.type, non_retryable=True)
    # APIError and anything unforeseen: a 5xx-class fault, worth another try.
    return ApplicationError(message, type="GatewayError")
