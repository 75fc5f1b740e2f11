"""Payment's business decisions: declines, status transitions, what a PaymentIntent allows."""

from __future__ import annotations

from activities.failures import BusinessError
from activities.payment.tables import PaymentStatus


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


class ProcessingError(PaymentDeclined):
    """The issuer could not process the card. Final: Stripe keeps the answer under the
    idempotency key, so every retry of the same charge would replay it."""

    type = "ProcessingError"


class PaymentRejected(BusinessError):
    """The gateway refused the request itself (bad key, bad parameters): a bug, not a decline."""

    type = "PaymentRejected"
    expected = False


# Decline codes that name a reason of their own; everything else is a plain CardDeclined.
_DECLINE_TYPES: dict[str, type[PaymentDeclined]] = {
    "insufficient_funds": InsufficientFunds,
    "expired_card": ExpiredCard,
    "fraudulent": Fraudulent,
    "stolen_card": Fraudulent,
    "lost_card": Fraudulent,
}

# PaymentIntent states from which no money has moved and a cancel is still allowed.
CANCELLABLE_INTENT_STATES = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
)
# The row after a confirm that went through: held for capture, or charged at once.
ROW_AFTER_CONFIRM = {
    "requires_capture": PaymentStatus.AUTHORIZED,
    "succeeded": PaymentStatus.CAPTURED,
}
# Refund states that mean the money is (or will be) back with the customer.
REFUND_GOING_THROUGH = frozenset({"succeeded", "pending"})

# A row moves Pending -> Authorized -> (PartiallyCaptured, a parcel at a time ->) Captured ->
# Refunded, Authorized -> Voided, Pending
# -> Failed (declined) -> Refunded, and never backwards or sideways, so a late or replayed
# answer cannot undo a later state. A state may be skipped: its answer was lost.
_LATER = {
    PaymentStatus.PENDING: {
        PaymentStatus.AUTHORIZED,
        PaymentStatus.PARTIALLY_CAPTURED,
        PaymentStatus.CAPTURED,
        PaymentStatus.FAILED,
        PaymentStatus.VOIDED,
        PaymentStatus.REFUNDED,
    },
    PaymentStatus.AUTHORIZED: {
        PaymentStatus.PARTIALLY_CAPTURED,
        PaymentStatus.CAPTURED,
        PaymentStatus.VOIDED,
        PaymentStatus.REFUNDED,
    },
    PaymentStatus.PARTIALLY_CAPTURED: {PaymentStatus.CAPTURED, PaymentStatus.REFUNDED},
    PaymentStatus.CAPTURED: {PaymentStatus.REFUNDED},
    PaymentStatus.FAILED: {PaymentStatus.REFUNDED},
    PaymentStatus.VOIDED: set(),
    PaymentStatus.REFUNDED: set(),
}


class AuthenticationFailed(PaymentDeclined):
    """The customer failed the bank's 3-D Secure challenge: a decline."""

    type = "AuthenticationFailed"


class CaptureFailed(BusinessError):
    """The authorization is gone (it expired, or was cancelled): nothing can be captured."""

    type = "CaptureFailed"


def decline_for(code: str | None, decline_code: str | None) -> type[PaymentDeclined]:
    """The business failure a card error stands for."""
    if code == "processing_error":
        return ProcessingError
    return _DECLINE_TYPES.get(decline_code or "") or _DECLINE_TYPES.get(code or "") or CardDeclined


def may_move(current: str, to: PaymentStatus) -> bool:
    """Forward only, never sideways (Captured and Failed, Captured and Voided)."""
    now = PaymentStatus(current)
    return to == now or to in _LATER[now]
