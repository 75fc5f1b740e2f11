"""Business failures. Each maps to a non-retryable ApplicationError whose type is its name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio.exceptions import ApplicationError


class BusinessError(Exception):
    """A failure that no retry can fix: the saga must compensate instead."""

    type: str = "BusinessError"


class UnknownProduct(BusinessError):
    type = "UnknownProduct"


class OutOfStock(BusinessError):
    type = "OutOfStock"


class PriceMismatch(BusinessError):
    type = "PriceMismatch"


class OrderAlreadyCompensated(BusinessError):
    type = "OrderAlreadyCompensated"


class ShipmentRejected(BusinessError):
    type = "ShipmentRejected"


class PaymentDeclined(BusinessError):
    type = "PaymentDeclined"


class CardDeclined(PaymentDeclined):
    type = "CardDeclined"


class InsufficientFunds(PaymentDeclined):
    type = "InsufficientFunds"


class ExpiredCard(PaymentDeclined):
    type = "ExpiredCard"


class Fraudulent(PaymentDeclined):
    type = "Fraudulent"


class PaymentRejected(BusinessError):
    """The gateway refused the request itself (bad key, bad parameters): a bug, not a decline."""

    type = "PaymentRejected"


STEP_BUSINESS_ERRORS: dict[str, list[str]] = {
    "reserve_inventory": [
        UnknownProduct.type,
        OutOfStock.type,
        PriceMismatch.type,
        OrderAlreadyCompensated.type,
    ],
    "charge_payment": [
        CardDeclined.type,
        InsufficientFunds.type,
        ExpiredCard.type,
        Fraudulent.type,
        PaymentDeclined.type,
        PaymentRejected.type,
        "IdempotencyConflict",
        "GatewayAuthentication",
        OrderAlreadyCompensated.type,
    ],
    "create_shipment": [ShipmentRejected.type, OrderAlreadyCompensated.type],
}


@contextmanager
def as_business_failure() -> Iterator[None]:
    """Report a BusinessError to Temporal as non-retryable, typed with its name."""
    try:
        yield
    except BusinessError as exc:
        raise ApplicationError(str(exc), type=exc.type, non_retryable=True) from exc
