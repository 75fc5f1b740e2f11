"""The returns table: one row per return of an order, never deleted."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from activities.timestamps import JSON_DOCUMENT, timestamp


class ReturnStatus(StrEnum):
    """Where a return is; the workflow's state, written on its row as it moves."""

    REQUESTED = "REQUESTED"  # asked for; not yet checked against the order
    AWAITING_PARCEL = "AWAITING_PARCEL"  # accepted: the customer sends the parcel
    RECEIVED = "RECEIVED"  # the parcel is back; usable units restocked, refund under way
    REFUND_FAILED = "REFUND_FAILED"  # the bank refused the refund: a person decides
    REFUNDED = "REFUNDED"
    RESOLVED = "RESOLVED"  # a person settled the refused refund by hand
    REJECTED = "REJECTED"  # an operator refused it: nothing refunded
    EXPIRED = "EXPIRED"  # the parcel never came back in time: nothing refunded
    REFUSED = "REFUSED"  # the order had nothing (more) to return: no row is written


# A return in one of these claims its units and its money; the others claim nothing.
CLAIMING = frozenset(
    {
        ReturnStatus.AWAITING_PARCEL,
        ReturnStatus.RECEIVED,
        ReturnStatus.REFUND_FAILED,
        ReturnStatus.REFUNDED,
        ReturnStatus.RESOLVED,
    }
)


class OrderReturn(SQLModel, table=True):
    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("order_id", "number", name="uq_returns_order_number"),
        Index("uq_returns_order_request_key", "order_id", "request_key", unique=True),
    )

    return_id: str = Field(primary_key=True, max_length=96)
    order_id: str = Field(max_length=64, index=True)
    number: int
    status: str = Field(max_length=16)
    # Each line: sku, quantity, unit_price (as text), unusable (units not restocked).
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSON_DOCUMENT, nullable=False))
    amount: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    currency: str = Field(max_length=3)
    reason: str | None = Field(default=None, max_length=500)
    opened_by: str = Field(max_length=255)
    # The workflow run that opened it: a return id reused once Temporal forgot the first
    # (past its retention) is not this row's.
    workflow_run: str = Field(max_length=64)
    refund_id: str | None = Field(default=None, max_length=255)
    # The client's Idempotency-Key and a digest of what it asked with it: the same request
    # again finds this return; the key with other items or reason is refused.
    request_key: str | None = Field(default=None, max_length=255)
    request_fingerprint: str | None = Field(default=None, max_length=64)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
