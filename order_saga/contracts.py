"""Messages shared by the workflow, the activities and the CLI.

Every workflow and activity takes one model and returns one, so fields can be added
later without breaking sagas that are already running.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from order_saga.money import CURRENCY_EXPONENTS, check_amount, to_minor_units

PAYMENT_METHOD_PATTERN = re.compile(r"^pm_[A-Za-z0-9_]{1,200}$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")


class Strict(BaseModel):
    """Base for messages: unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]
Price = Annotated[Decimal, AfterValidator(check_amount)]


class Address(Strict):
    street: NonEmpty
    city: NonEmpty
    state: Annotated[str, Field(max_length=100)] = ""
    zip_code: NonEmpty
    country: Annotated[str, Field(description="ISO 3166-1 alpha-2 code")]

    @field_validator("country", mode="before")
    @classmethod
    def _country_code(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if not COUNTRY_PATTERN.match(value):
                raise ValueError("must be a two-letter ISO 3166-1 country code, e.g. US")
        return value


class OrderItem(Strict):
    sku: NonEmpty
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price: Price


class OrderRequest(Strict):
    """What a client asks for; prices are checked against the catalogue, never trusted."""

    order_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] = (
        Field(default_factory=lambda: f"o-{uuid.uuid4().hex[:12]}")
    )
    customer_id: NonEmpty
    items: Annotated[list[OrderItem], Field(min_length=1, max_length=100)]
    currency: str = "usd"
    payment_method: str
    shipping_address: Address
    handover_delay_seconds: Annotated[int, Field(ge=0, le=30 * 86400)] = Field(
        default=5,
        description="How long the booked shipment waits for pickup; cancellable until then",
    )

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
        skus = [item.sku for item in items]
        duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
        if duplicates:
            raise ValueError(f"each sku may appear once; repeated: {', '.join(duplicates)}")
        return items

    @model_validator(mode="after")
    def _prices_fit_currency(self) -> OrderRequest:
        for index, item in enumerate(self.items):
            try:
                to_minor_units(item.unit_price, self.currency)
            except ValueError as err:
                raise ValueError(f"items.{index}.unit_price: {err}") from err
        return self

    @property
    def workflow_id(self) -> str:
        """The id of this order's saga."""
        return workflow_id_for(self.order_id)

    @property
    def total(self) -> Decimal:
        """What the client expects to pay; the charge uses the catalogue's total."""
        return sum((i.unit_price * i.quantity for i in self.items), Decimal("0.00"))


def workflow_id_for(order_id: str) -> str:
    """One saga per order: the workflow id is derived from the order id."""
    return f"order-{order_id}"


class PricedLine(Strict):
    sku: str
    quantity: int
    unit_price: Decimal


class ReserveInventoryInput(Strict):
    order_id: str
    currency: str
    items: list[OrderItem]


class ReservationResult(Strict):
    order_id: str
    lines: list[PricedLine]
    total: Decimal
    currency: str


class ReleaseInventoryInput(Strict):
    order_id: str
    skus: list[str]


class ReleaseResult(Strict):
    order_id: str
    released_units: int


class CreatePaymentIntentInput(Strict):
    order_id: str
    customer_id: str
    amount: Decimal
    currency: str
    payment_method: str
    idempotency_key: str


class PaymentIntentResult(Strict):
    payment_id: str
    payment_intent_id: str


class ChargePaymentInput(Strict):
    order_id: str
    payment_intent_id: str
    amount: Decimal
    currency: str
    idempotency_key: str


class ChargeResult(Strict):
    payment_id: str
    payment_intent_id: str
    amount: Decimal
    currency: str


class RefundPaymentInput(Strict):
    order_id: str
    idempotency_key: str
    payment_intent_id: str | None = None  # unknown when the create's answer never came


class RefundResult(Strict):
    order_id: str
    action: str  # refunded | cancelled | nothing_to_refund | already_refunded
    refund_id: str | None = None


class CreateShipmentInput(Strict):
    order_id: str
    address: Address


class ShipmentResult(Strict):
    shipment_id: str
    carrier: str
    tracking_number: str


class CancelShipmentInput(Strict):
    order_id: str


class CancelShipmentResult(Strict):
    order_id: str
    cancelled: bool


class SagaState(StrEnum):
    """The saga's business state; also the `OrderStatus` search attribute."""

    RUNNING = "RUNNING"
    AWAITING_HANDOVER = "AWAITING_HANDOVER"  # shipment booked; cancel still possible
    COMPENSATING = "COMPENSATING"
    CANCELLING = "CANCELLING"
    COMPLETED = "COMPLETED"  # handed to the carrier: cancel is refused from here on
    COMPENSATED = "COMPENSATED"
    CANCELLED = "CANCELLED"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"  # an undo needs a person (see failures)


class StepState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    COMPENSATING = "COMPENSATING"
    COMPENSATED = "COMPENSATED"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"  # an undo needs a person (see failures)


class StepStatus(BaseModel):
    name: str
    state: StepState = StepState.PENDING
    error_type: str | None = None
    error_message: str | None = None


class CompensationFailure(BaseModel):
    activity: str
    error_type: str
    message: str


class SagaStatus(BaseModel):
    """Answer of the `status` query: where the saga is and how each step went."""

    order_id: str
    state: SagaState
    steps: list[StepStatus]
    compensations_run: list[str] = Field(default_factory=list)
    compensation_failures: list[CompensationFailure] = Field(default_factory=list)
    cancel_reason: str | None = None


class OrderResult(BaseModel):
    order_id: str
    status: SagaState
    total: Decimal | None = None
    currency: str | None = None
    payment_id: str | None = None
    payment_intent_id: str | None = None
    shipment_id: str | None = None
    tracking_number: str | None = None
    failed_step: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    compensations_run: list[str] = Field(default_factory=list)
    compensation_failures: list[CompensationFailure] = Field(default_factory=list)


def describe_validation_error(err: ValidationError) -> str:
    """One line naming each bad field, e.g. `items.0.quantity: must be at least 1`."""
    parts = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "order"
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
