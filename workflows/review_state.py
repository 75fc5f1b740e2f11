"""A held order's review, as clients see it and ask for it: why it was held, by when a
person must decide, and their decision (the `review` update)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from activities.messages import printable

REVIEW_UPDATE = "review"
Decision = Literal["approve", "decline"]


class ReviewDecision(BaseModel):
    """A person's decision on a held order; `reason` is kept with who decided."""

    decision: Decision
    reason: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(printable)]
    by: Annotated[str | None, Field(max_length=200)] = None  # named by the front end


class ReviewView(BaseModel):
    """Why the order was held and what became of it."""

    reasons: list[str]
    decide_by: datetime  # declined and undone if no one decides by then
    decision: Decision | None = None
    reason: str | None = None
    by: str | None = None
    decided_at: datetime | None = None
