"""The shapes of the local Stripe server's answers: ids, and errors as Stripe words them."""

from __future__ import annotations

import secrets
from typing import Any

Json = dict[str, Any]


class StripeFailure(Exception):
    """An error answer in Stripe's shape: {"error": {...}} with an HTTP status."""

    def __init__(self, status: int, error_type: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: Json = {"error": {"type": error_type, "message": message, **fields}}


def new_id(prefix: str) -> str:
    """A Stripe-style object id, e.g. pi_3f2a..."""
    return f"{prefix}_{secrets.token_hex(12)}"


def missing(kind: str, ident: str, param: str = "id") -> StripeFailure:
    """Stripe's 404 for an unknown object."""
    return StripeFailure(
        404,
        "invalid_request_error",
        f"No such {kind}: '{ident}'",
        code="resource_missing",
        param=param,
    )


def positive_int(value: Any, param: str) -> int:
    """The parameter as a positive integer, or Stripe's 400 naming it."""
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number <= 0:
        raise StripeFailure(
            400,
            "invalid_request_error",
            f"Invalid positive integer: {param} must be at least 1",
            code="parameter_invalid_integer",
            param=param,
        )
    return number


def truthy(value: Any) -> bool:
    """A form-encoded boolean."""
    return str(value).lower() == "true"


def unexpected_state(intent: Json, action: str) -> StripeFailure:
    """Stripe's 400 for an action the PaymentIntent's status does not allow."""
    return StripeFailure(
        400,
        "invalid_request_error",
        f"You cannot {action} this PaymentIntent because it has a status of {intent['status']}.",
        code="payment_intent_unexpected_state",
        payment_intent=intent,
    )
