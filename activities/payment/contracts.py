"""What the payment activities take and return."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from activities.messages import Strict
from activities.ownership import OrderScoped


class CreatePaymentIntentInput(OrderScoped):
    customer_id: str
    amount: Decimal
    currency: str
    payment_method: str
    idempotency_key: str
    # "manual": confirming authorizes, and the saga captures at the carrier's pickup. Sagas
    # from before charged at once ("automatic"), and their creates replay as they were sent.
    capture_method: Literal["automatic", "manual"] = "automatic"
    # Parcels from more than one warehouse: ask for multicapture, to take each at its pickup.
    multicapture: bool = False


class PaymentIntentResult(Strict):
    payment_id: str
    payment_intent_id: str


class ChargePaymentInput(OrderScoped):
    payment_intent_id: str
    amount: Decimal
    currency: str
    idempotency_key: str


class ChargeResult(Strict):
    payment_id: str
    payment_intent_id: str
    amount: Decimal
    currency: str
    authorized_only: bool = False  # held by the bank, to be captured at pickup
    # Held: the card network's deadline for the capture (Stripe's `capture_before`), and how
    # long after the charge that is (the saga counts on its own clock, not Stripe's).
    capture_before: datetime | None = None
    hold_seconds: int | None = None
    multicapture: bool = False  # held so that each parcel is captured at its own pickup
    # The bank asks the customer (3-D Secure): the page to send them to; nothing held yet.
    authentication_url: str | None = None


class CapturePaymentInput(OrderScoped):
    payment_intent_id: str
    amount: Decimal
    currency: str
    idempotency_key: str  # one per capture: a parcel's own, when there are several
    # False: one parcel's capture, the rest of the authorization held for the others.
    final: bool = True


class CaptureResult(Strict):
    payment_id: str
    payment_intent_id: str
    amount: Decimal
    currency: str
    final: bool = True  # False: a parcel's part taken, the rest of the hold kept for others


class RefundPaymentInput(OrderScoped):
    idempotency_key: str
    payment_intent_id: str | None = None  # unknown when the create's answer never came
    create: CreatePaymentIntentInput | None = None  # replayed to find an intent then
    # How many times a person asked to retry the saga's failed undos: each asks the bank anew.
    person_retry: int = 0


class RefundResult(Strict):
    order_id: str
    # refunded | voided | cancelled | nothing_to_refund | already_refunded | already_voided
    # | not_ours
    action: str
    refund_id: str | None = None
    payment_intent_id: str | None = None
    # False when no money was taken (declined, never created, another run's): nothing to give
    # back, so a saga shows the undo as skipped, not as run.
    took_effect: bool = True


class RefundReturnInput(Strict):
    """A return's refund: part of what the order's payment captured."""

    order_id: str
    return_id: str
    amount: Decimal
    currency: str
    # How many times a person asked to retry the refund the bank refused: each asks anew.
    person_retry: int = 0


class ReturnRefundResult(Strict):
    return_id: str
    refund_id: str
    amount: Decimal
    currency: str


class DisputeSnapshot(Strict):
    """A dispute as one of Stripe's `charge.dispute.*` events showed it."""

    dispute_id: str
    payment_intent: str
    status: str  # needs_response, under_review, won, lost, warning_*...
    amount: int  # minor units, as Stripe counts
    currency: str
    reason: str
    due_by: datetime | None = None  # the evidence's deadline
    event_type: str
    event_created: int  # Stripe's clock: later events supersede earlier ones


class RecordedDispute(Strict):
    dispute_id: str
    order_id: str | None  # None when the charge is not one of our orders'
    status: str
    amount: Decimal
    currency: str
    reason: str
    due_by: datetime | None = None
    open: bool
