"""Stripe's errors as Temporal acts on them: a decline is a business failure (final), an
outage or a rate limit is retried, a request Stripe will never take is final; and the error's
JSON, kept on the payments row."""

from __future__ import annotations

from typing import Any

import stripe
from temporalio.exceptions import ApplicationError

from activities.failures import expected_failure
from activities.payment.rules import PaymentRejected, decline_for


def error_body(exc: stripe.StripeError) -> dict[str, Any]:
    """Stripe's error JSON, for the payments row."""
    body = exc.json_body
    return body if isinstance(body, dict) else {"error": {"message": str(exc)}}


def classify(exc: stripe.StripeError) -> ApplicationError:
    """Turn an SDK exception into the ApplicationError Temporal should act on."""
    message = exc.user_message or str(exc)
    if isinstance(exc, stripe.CardError):
        decline_code = exc.error.decline_code if exc.error else None
        declined = decline_for(exc.code, decline_code)
        return expected_failure(message, declined.type)
    if isinstance(exc, stripe.RateLimitError):
        return ApplicationError(message, type="RateLimited")
    if isinstance(exc, stripe.APIConnectionError):
        return ApplicationError(message, type="GatewayUnreachable")
    if isinstance(exc, stripe.IdempotencyError):
        return ApplicationError(message, type="IdempotencyConflict", non_retryable=True)
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return ApplicationError(message, type="GatewayAuthentication", non_retryable=True)
    if isinstance(exc, stripe.InvalidRequestError):
        return ApplicationError(message, type=PaymentRejected.type, non_retryable=True)
    # APIError and anything unforeseen: a 5xx-class fault, worth another try.
    return ApplicationError(message, type="GatewayError")
