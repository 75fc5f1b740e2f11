"""The order a client asks for: the saga's input, validated before anything runs."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Annotated

from email_validator import validate_email
from pydantic import EmailStr, Field, field_validator, model_validator

from activities.inventory.contracts import OrderItem, distinct_skus
from activities.messages import NonEmpty, Strict, WholeNumber
from activities.money import (
    CURRENCY_EXPONENTS,
    MAX_AMOUNT,
    STRIPE_MAX_CHARGE,
    from_minor_units,
    to_minor_units,
)
from activities.retries import STEP_DEADLINE
from activities.shipment.contracts import Address

PAYMENT_METHOD_PATTERN = re.compile(r"^pm_[A-Za-z0-9_]{1,200}$")


WORKFLOW_ID_PREFIX = "order-"


def workflow_id_for(order_id: str) -> str:
    """One saga per order: the workflow id is derived from the order id."""
    return f"{WORKFLOW_ID_PREFIX}{order_id}"


def order_id_from(workflow_id: str) -> str:
    """The order a saga's workflow id names."""
    return workflow_id.removeprefix(WORKFLOW_ID_PREFIX)


# An order's business deadline: what the client API fills in unless the order or the
# ORDER_DEADLINE_SECONDS setting says otherwise, and the bounds of either.
DEFAULT_DEADLINE_SECONDS = 24 * 3600
MIN_DEADLINE_SECONDS, MAX_DEADLINE_SECONDS = 60, 30 * 86400
# A card authorization holds about 7 days: a longer wait for pickup captures at the end of
# this window instead (then a cancel refunds what was captured).
DEFAULT_CAPTURE_WINDOW_SECONDS = 6 * 86400
MAX_CAPTURE_WINDOW_SECONDS = 7 * 86400


class OrderRequest(Strict):
    """What a client asks for; prices are checked against the catalogue, never trusted."""

    order_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] = (
        # Clients fill it in before the start: a run's input always carries it (one without
        # it cannot match its workflow id and fails WrongWorkflowId on every replay alike).
        Field(default_factory=lambda: f"o-{uuid.uuid4().hex[:12]}")  # noqa: TID251
    )
    customer_id: NonEmpty
    customer_email: Annotated[EmailStr, Field(max_length=254)] | None = Field(
        default=None,
        description="Where the customer's mails go (confirmation, cancellation, the bank's "
        "confirmation link); none, no mail. Never in a summary, a log line or a search "
        "attribute; encrypted in the history with the payload codec",
    )
    items: Annotated[list[OrderItem], Field(min_length=1, max_length=100)]
    currency: str = "usd"
    payment_method: str
    shipping_address: Address
    handover_delay_seconds: Annotated[WholeNumber, Field(ge=0, le=30 * 86400)] = Field(
        default=5,
        description="How long the booked shipment waits for pickup; cancellable until then",
    )
    deadline_seconds: (
        Annotated[WholeNumber, Field(ge=MIN_DEADLINE_SECONDS, le=MAX_DEADLINE_SECONDS)] | None
    ) = Field(
        default=None,
        description="The business deadline: a saga whose shipment is not booked by then is "
        "undone and ends EXPIRED. The client API fills in the configured default (24 h)",
    )
    capture_window_seconds: Annotated[WholeNumber, Field(ge=1, le=MAX_CAPTURE_WINDOW_SECONDS)] = (
        Field(
            default=DEFAULT_CAPTURE_WINDOW_SECONDS,
            description="The longest the card's authorization is held before the payment is "
            "captured: at pickup, or at the end of this window if pickup comes later (a cancel "
            "after it refunds). Authorizations expire after about 7 days",
        )
    )
    authentication_timeout_seconds: Annotated[WholeNumber, Field(ge=60, le=86400)] = Field(
        default=15 * 60,
        description="How long the customer has to complete the bank's 3-D Secure challenge "
        "before the order is undone (AuthenticationTimedOut)",
    )
    return_window_days: Annotated[WholeNumber, Field(ge=0, le=365)] | None = Field(
        default=None,
        description="Days after the carrier takes the parcel during which a return may be "
        "opened (0: none); none, the deployment's RETURN_WINDOW_DAYS (30 by default)",
    )
    step_deadline_seconds: Annotated[WholeNumber, Field(ge=10, le=86400)] = Field(
        default=int(STEP_DEADLINE.total_seconds()),
        description="How long reserve and ship retry infrastructure faults (an outage of "
        "the database, say) before the order is compensated; the charge keeps one hour",
    )

    @field_validator("customer_email")
    @classmethod
    def _mailable(cls, value: str | None) -> str | None:
        """An address a mail's To header can carry: an ASCII local part (another needs
        SMTPUTF8 end to end, which this sender does not rely on), no RFC 2047 encoded word
        (it would decode to another address), the domain in its IDNA form."""
        if value is None:
            return None
        local = value.rpartition("@")[0]
        if not local.isascii():
            raise ValueError(
                "the part before @ must be ASCII letters, digits or punctuation: mail to a "
                "non-ASCII mailbox needs SMTPUTF8, which is not supported"
            )
        if "=?" in local:
            raise ValueError("must not hold an RFC 2047 encoded word (=?...?=)")
        ascii_email = validate_email(value, check_deliverability=False).ascii_email
        return ascii_email or value

    @field_validator("currency", mode="before")
    @classmethod
    def _known_currency(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in CURRENCY_EXPONENTS:
                known = ", ".join(sorted(CURRENCY_EXPONENTS))
                raise ValueError(f"unknown currency {value!r}; supported: {known}")
        return value

    @field_validator("payment_method")
    @classmethod
    def _payment_method(cls, value: str) -> str:
        if not PAYMENT_METHOD_PATTERN.match(value):
            raise ValueError("must be a Stripe PaymentMethod id such as pm_card_visa")
        return value

    @field_validator("items")
    @classmethod
    def _distinct_skus(cls, items: list[OrderItem]) -> list[OrderItem]:
        return distinct_skus(items)

    @model_validator(mode="after")
    def _prices_fit_currency(self) -> OrderRequest:
        for index, item in enumerate(self.items):
            try:
                to_minor_units(item.unit_price, self.currency)
            except ValueError as err:
                raise ValueError(f"items.{index}.unit_price: {err}") from err
        largest = min(MAX_AMOUNT, from_minor_units(STRIPE_MAX_CHARGE, self.currency))
        if self.total > largest:
            raise ValueError(
                f"items: the order's total {self.total} {self.currency.upper()} is more than "
                f"the largest charge, {largest}"
            )
        return self

    @property
    def workflow_id(self) -> str:
        """The id of this order's saga."""
        return workflow_id_for(self.order_id)

    @property
    def step_deadline(self) -> timedelta:
        """The deadline of reserve and ship."""
        return timedelta(seconds=self.step_deadline_seconds)

    @property
    def total(self) -> Decimal:
        """What the client expects to pay; the charge uses the catalogue's total."""
        return sum((i.unit_price * i.quantity for i in self.items), Decimal("0.00"))
