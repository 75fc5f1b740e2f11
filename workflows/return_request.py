"""A return as a client asks for it, what it answers, and what a person may ask of it.

One workflow per return, its id derived from the order and the return's number
(`return-<order>-<n>`): the order's completed saga is never reopened, and no order's saga id
(`order-...`) can be a return's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from activities.inventory.contracts import distinct_skus
from activities.messages import Strict, printable
from activities.returns.contracts import ReturnedItem, ReturnLine

RETURN_PREFIX = "return-"
DEFAULT_RETURN_WINDOW_DAYS = 30
Reason = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(printable)]


def return_id_for(order_id: str, number: int) -> str:
    """The return's id, which is also its workflow's."""
    return f"{RETURN_PREFIX}{order_id}-{number}"


def is_return_id(text: str) -> bool:
    """Whether `text` names a return (an order id never starts so: its saga is `order-`)."""
    number = text.rpartition("-")[2]
    return text.startswith(RETURN_PREFIX) and number.isdigit() and text.count("-") >= 2


class ReturnState(StrEnum):
    """Where a return is (the returns table's status, the same words)."""

    REQUESTED = "REQUESTED"
    REFUSED = "REFUSED"
    AWAITING_PARCEL = "AWAITING_PARCEL"
    RECEIVED = "RECEIVED"
    REFUND_FAILED = "REFUND_FAILED"
    REFUNDED = "REFUNDED"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


class ReturnRequest(Strict):
    """What a client asks: these units of a shipped order back, for a refund."""

    order_id: str
    number: Annotated[int, Field(ge=1)]
    items: Annotated[list[ReturnedItem], Field(min_length=1, max_length=100)]
    reason: Reason | None = None
    opened_by: str
    customer_id: str | None = None  # the order's customer, when the saga still says
    window_days: Annotated[int, Field(ge=0, le=365)] = DEFAULT_RETURN_WINDOW_DAYS
    handed_over_at: datetime | None = None
    # The client's Idempotency-Key: the same request again, the same return.
    request_key: Annotated[str, Field(min_length=1, max_length=255)] | None = None

    @field_validator("items")
    @classmethod
    def _distinct_skus(cls, items: list[ReturnedItem]) -> list[ReturnedItem]:
        return distinct_skus(items)

    @property
    def return_id(self) -> str:
        """This return's id and workflow id."""
        return return_id_for(self.order_id, self.number)


class ReceiveParcel(Strict):
    """The parcel is back; `unusable` units are refunded but not restocked."""

    unusable: list[ReturnedItem] = Field(default_factory=list)
    by: str | None = None


class RejectReturn(Strict):
    reason: Reason
    by: str | None = None


class ResolveReturn(Strict):
    """A person's answer to a refused refund: ask the bank again, or record it settled."""

    action: Literal["retry", "mark-resolved"]
    note: Annotated[str, Field(max_length=2000), AfterValidator(printable)] | None = None
    by: str | None = None


class ReturnView(Strict):
    """A return as its status, the API and the CLI tell it."""

    return_id: str
    order_id: str
    customer_id: str | None = None
    state: ReturnState
    lines: list[ReturnLine] = Field(default_factory=list)
    refund: Decimal | None = None  # what is (or was) refunded
    currency: str | None = None
    reason: str | None = None
    window_ends: datetime | None = None
    parcel_due: datetime | None = None
    refund_id: str | None = None
    detail: str = ""  # why refused, rejected or waiting for a person
    number_taken: bool = False  # refused: an earlier return has its id (try the next one)
    opened_before: str | None = None  # refused: the same request opened this return before
    key_reused: bool = False  # refused: the Idempotency-Key came with other items or reason
    record: list[str] = Field(default_factory=list)  # who did what, in order

    def refused_as(self, refusal: str, message: str) -> ReturnView:
        """This view, flagged with what the client does about the opening's `refusal`."""
        return self.model_copy(
            update={
                "number_taken": refusal == "ReturnNumberTaken",
                "opened_before": message if refusal == "ReturnOpenedBefore" else None,
                "key_reused": refusal == "ReturnKeyReused",
            }
        )
