"""What the saga asks the notification service to send, and what it answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from activities.messages import Strict

# The moments a shop writes to its customer: the parcel is with the carrier; the order was
# cancelled or undone; the bank wants the customer to confirm the payment (3-D Secure); the
# money's return is delayed and a person is on it (then `undone` says how it was settled).
# And to the shop's operator, after the sale: a bank disputes a charge; its evidence is due soon.
MailKind = Literal[
    "confirmed", "undone", "authentication", "delayed", "disputed", "dispute_reminder"
]
MAIL_KINDS: tuple[MailKind, ...] = (
    "confirmed",
    "undone",
    "authentication",
    "delayed",
    "disputed",
    "dispute_reminder",
)


class MailLine(Strict):
    sku: str
    quantity: int
    unit_price: Decimal


class MailParcel(Strict):
    """One parcel of an order shipped from more than one warehouse: on its way (its tracking
    number), or not shipped (why, in plain words; nothing taken for it)."""

    lines: list[MailLine]
    tracking_number: str | None = None
    not_shipped: str | None = None


class OrderMail(Strict):
    """One mail about one order; `saga_id` and `kind` name it, so every retry of its send
    carries the same Message-ID."""

    order_id: str
    saga_id: str
    kind: MailKind
    to: str  # validated with the order; never in a summary, a log line or a search attribute
    customer_id: str
    lines: list[MailLine]
    total: Decimal
    currency: str
    carrier: str | None = None
    tracking_number: str | None = None
    outcome: str | None = None  # cancelled, expired, not completed
    reason: str | None = None  # why, in plain words
    given_back: list[str] = Field(default_factory=list)  # what was returned, in plain words
    authentication_url: str | None = None
    parcels: list[MailParcel] = Field(default_factory=list)  # in parcels: each one's fate


class MailSent(Strict):
    order_id: str
    kind: MailKind
    message_id: str


# The workflow that sends one mail (its retries, up to a day, in Temporal's queue).
MAIL_WORKFLOW = "NotifyCustomer"

# What each mail tells the customer, as the Web UI labels its workflow and activity.
MAIL_LABELS: dict[str, str] = {
    "confirmed": "the order is on its way",
    "undone": "the order did not ship",
    "authentication": "the bank asks to confirm the payment",
    "delayed": "the return of the money is delayed, a person is on it",
    "disputed": "the bank disputes the charge",
    "dispute_reminder": "the dispute's evidence is due soon",
}
OPERATOR_KINDS = frozenset({"disputed", "dispute_reminder"})  # to the shop, not the customer


def mail_label(mail: OrderMail) -> str:
    """`mail the customer of order o-123: the order is on its way`."""
    whom = "the operator about" if mail.kind in OPERATOR_KINDS else "the customer of"
    return f"mail {whom} order {mail.order_id}: {MAIL_LABELS.get(mail.kind, mail.kind)}"


def mail_workflow_id(saga_id: str, kind: str) -> str:
    """One mail workflow per order and event."""
    return f"{saga_id}-mail-{kind}"
