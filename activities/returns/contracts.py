"""What the returns activities take and return."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from activities.inventory.contracts import Sku
from activities.messages import Strict, WholeNumber


class ReturnedItem(Strict):
    sku: Sku
    quantity: Annotated[WholeNumber, Field(ge=1, le=10_000)]


class ReturnLine(Strict):
    """A returned line as it is refunded: what a unit sold for, and how many came back
    unusable (refunded, not restocked)."""

    sku: str
    quantity: int
    unit_price: Decimal
    unusable: int = 0


class OpenReturnInput(Strict):
    return_id: str
    order_id: str
    number: int
    items: list[ReturnedItem]
    reason: str | None = None
    opened_by: str
    workflow_run: str  # the opening run (its chain's first): whose row this is
    window_days: int  # the deployment's; an order's own (on its shipment row) wins
    request_key: str | None = None  # the client's Idempotency-Key
    # When the carrier took the parcel (the saga's close), if Temporal still keeps the saga;
    # otherwise the capture's time stands in for it.
    handed_over_at: datetime | None = None


class OpenedReturn(Strict):
    return_id: str
    order_id: str
    lines: list[ReturnLine]
    amount: Decimal  # what the refund will be
    currency: str
    window_ends: datetime


class RecordReturnInput(Strict):
    """A return's new state on its row (terminal states never change again)."""

    return_id: str
    status: str
    lines: list[ReturnLine] | None = None
    refund_id: str | None = None


class RecordedReturn(Strict):
    return_id: str
    status: str
