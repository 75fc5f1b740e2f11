"""What the order routes take beside the order itself: a cancel's reason, a person's
resolution or review, a client's Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from activities.inventory.contracts import LineQuantity
from activities.messages import printable
from activities.shipment.contracts import Address
from workflows.review_state import Decision

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retry a request whose answer was lost with the same key and body: the "
        "first answer comes back; the same key with another body is 422",
    ),
]


class Resolve(BaseModel):
    action: Literal["retry", "mark-resolved"]
    note: Annotated[str | None, Field(min_length=1, max_length=2000)] = None

    @model_validator(mode="after")
    def _note_with_mark_resolved(self) -> Resolve:
        if self.action == "mark-resolved" and not self.note:
            raise ValueError("mark-resolved needs a note: what was done, for the record")
        return self


class Amend(BaseModel):
    """What an amendment changes before pickup: the shipping address, fewer units of some
    lines (each line's new quantity), or both."""

    model_config = ConfigDict(extra="forbid")
    shipping_address: Address | None = None
    lines: Annotated[list[LineQuantity], Field(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _something(self) -> Amend:
        if self.shipping_address is None and self.lines is None:
            raise ValueError("say what changes: shipping_address, lines, or both")
        return self


class Review(BaseModel):
    """An operator's decision on an order the risk rules hold."""

    decision: Decision
    reason: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(printable)]


class CancelRequest(BaseModel):
    reason: Annotated[str, Field(max_length=500)] = ""
