"""What the saga tells about itself: its state, each step's progress and its result."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AliasChoices, BaseModel, Field

from activities.payment.contracts import RecordedDispute
from workflows.money import Money, Undone
from workflows.parcel_state import Parcel
from workflows.return_request import ReturnView
from workflows.review_state import ReviewView

# The saga's wire names: clients use them without importing the workflow and its activities.
WORKFLOW_TYPE = "OrderSaga"
STATUS_QUERY = "status"
RETRY_UNDOS_UPDATE = "retry_undos"
MARK_RESOLVED_UPDATE = "mark_resolved"
PAYMENT_EVENT_SIGNAL = "payment_event"


class PaymentEvent(BaseModel):
    """Stripe said something happened to the order's payment (a webhook): the saga looks."""

    event_id: str
    type: str
    payment_intent_id: str | None = None


class SagaState(StrEnum):
    """The saga's business state; also the `OrderStatus` search attribute."""

    RUNNING = "RUNNING"
    AWAITING_REVIEW = "AWAITING_REVIEW"  # held by the risk rules for a person's decision
    AWAITING_AUTHENTICATION = "AWAITING_AUTHENTICATION"  # the customer's 3-D Secure, at a URL
    AWAITING_HANDOVER = "AWAITING_HANDOVER"  # shipment booked; cancel still possible
    COMPENSATING = "COMPENSATING"
    CANCELLING = "CANCELLING"
    COMPLETED = "COMPLETED"  # handed to the carrier: cancel is refused from here on
    # Some parcels handed to the carrier, others could not ship (their stock released and
    # their money never taken): the customer is told which.
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    COMPENSATED = "COMPENSATED"
    CANCELLED = "CANCELLED"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"  # an undo needs a person (see failures)
    EXPIRED = "EXPIRED"  # its deadline passed before the shipment was booked: undone
    RESOLVED = "RESOLVED"  # a person settled what an undo could not
    REFUSED = "REFUSED"  # another run owns this order: this run changed nothing
    # Set by clients, never by the saga: an operator stopped it; its effects stay in place.
    TERMINATED = "TERMINATED"


# How a run ends, as the finished counter labels it (TERMINATED is a client's word, not one).
OUTCOME_STATES = (
    SagaState.COMPLETED,
    SagaState.PARTIALLY_SHIPPED,
    SagaState.COMPENSATED,
    SagaState.CANCELLED,
    SagaState.EXPIRED,
    SagaState.RESOLVED,
    SagaState.COMPENSATION_FAILED,
    SagaState.REFUSED,
)
# The carrier took the order (or some of its parcels): its returns and disputes may follow.
SHIPPED_STATES = (SagaState.COMPLETED, SagaState.PARTIALLY_SHIPPED)
# The saga's steps, in the order it runs them.
STEPS = (
    "reserve_inventory",
    "assess_risk",
    "charge_payment",
    "create_shipment",
    "capture_payment",
)


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


class Resolution(BaseModel):
    """A person's settlement of undos that could not run: what they did, when, and who."""

    note: str
    resolved_at: datetime
    by: str | None = None  # histories from before callers were named have none


# Who asked, as the front end that checked them names them (`api-key:web-shop`, `cli:alice`).
Requester = Annotated[str | None, Field(max_length=200)]


class MarkResolved(BaseModel):
    note: Annotated[str, Field(min_length=1, max_length=2000)]
    by: Requester = None


class RetryUndos(BaseModel):
    by: Requester = None


class Intervention(BaseModel):
    """A person's request the saga acted on (a cancel, a retry of undos, a manual fix): the
    record of who did what, in the status, the result and the history."""

    action: str
    by: str | None = None
    at: datetime


class OrderFacts(BaseModel):
    """What a storefront shows of an order, as its steps told the saga: in its status while it
    runs, and in its result."""

    order_id: str
    total: Decimal | None = None
    currency: str | None = None
    payment_id: str | None = None
    payment_intent_id: str | None = None
    refund_id: str | None = None
    shipment_id: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    # Captured by then at the latest, and which deadline that is (the card's or the order's).
    capture_by: str | None = None
    payment: Money | None = None  # authorized, captured, voided, refunded, refund failed
    # An order from more than one warehouse: its parcels (the shipment fields: the first's).
    parcels: list[Parcel] = Field(default_factory=list)


class SagaStatus(OrderFacts):
    """Answer of the `status` query: where the saga is and how each step went."""

    # `status` everywhere an order's SagaState shows (the result, the list, the OrderStatus
    # search attribute); a worker of an earlier build still answers `state` in a rolling deploy.
    status: SagaState = Field(validation_alias=AliasChoices("status", "state"))
    steps: list[StepStatus]
    compensations_run: list[str] = Field(default_factory=list)  # each gave something back
    compensations_skipped: list[str] = Field(default_factory=list)  # their step took no effect
    undone: list[Undone] = Field(default_factory=list)  # what each undo did, as run
    compensation_failures: list[CompensationFailure] = Field(default_factory=list)
    cancel_reason: str | None = None
    # While AWAITING_AUTHENTICATION: where to send the customer (the bank's 3-D Secure page).
    authentication_url: str | None = None
    waiting_for_person: bool = False
    resolution: Resolution | None = None
    interventions: list[Intervention] = Field(default_factory=list)  # who asked for what
    review: ReviewView | None = None  # held by the risk rules: why, and who decided
    # Added by clients: what a reader must know beyond the saga's own account (a terminated
    # run, a later run that was refused), and the shipped order's returns.
    notices: list[str] = Field(default_factory=list)
    returns: list[ReturnView] = Field(default_factory=list)
    disputes: list[RecordedDispute] = Field(default_factory=list)


class OrderResult(OrderFacts):
    """How an order ended: its facts, and why it did not ship when it did not."""

    status: SagaState
    failed_step: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    compensations_run: list[str] = Field(default_factory=list)  # each gave something back
    compensations_skipped: list[str] = Field(default_factory=list)  # their step took no effect
    undone: list[Undone] = Field(default_factory=list)  # what each undo did, as run
    compensation_failures: list[CompensationFailure] = Field(default_factory=list)
    resolution: Resolution | None = None
    interventions: list[Intervention] = Field(default_factory=list)  # who asked for what
