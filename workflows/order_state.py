"""What the saga tells about itself: its state, each step's progress and its result."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

# The saga's wire names: clients use them without importing the workflow and its activities.
WORKFLOW_TYPE = "OrderSaga"
STATUS_QUERY = "status"


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
    refund_id: str | None = None
    shipment_id: str | None = None
    tracking_number: str | None = None
    failed_step: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    compensations_run: list[str] = Field(default_factory=list)
    compensation_failures: list[CompensationFailure] = Field(default_factory=list)
