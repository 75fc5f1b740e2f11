"""What the risk assessment takes and answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from activities.ownership import OrderScoped

Verdict = Literal["pass", "review"]


class AssessRiskInput(OrderScoped):
    customer_id: str
    # Matched against the blocklist only: never in a reason, a summary or a log line.
    customer_email: str | None = None
    amount: Decimal
    currency: str


class RiskAssessed(OrderScoped):
    """`review`: a person decides within `review_within_seconds`, else the order is declined.
    A blocked customer gets no verdict: the step fails (`RiskBlocked`)."""

    verdict: Verdict
    reasons: list[str] = Field(default_factory=list)
    review_within_seconds: int = 0
