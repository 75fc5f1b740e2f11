"""The risk rules an operator manages (`order-saga risk ...`) and each order's assessment,
which the rolling spending window sums."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric
from sqlmodel import Field, SQLModel

from activities.timestamps import timestamp

ANY_CUSTOMER = "*"  # a limit's customer: every customer without a limit of their own
HOLD_SWITCH = "hold_new_orders"


class RiskLimit(SQLModel, table=True):
    """What a customer (or every customer, `*`) may spend in a currency over a window."""

    __tablename__ = "risk_limits"

    customer_id: str = Field(primary_key=True, max_length=200)
    currency: str = Field(primary_key=True, max_length=3)
    amount: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    window_hours: int
    set_by: str = Field(max_length=200)
    updated_at: datetime = timestamp()


class RiskBlock(SQLModel, table=True):
    """A customer id or an e-mail address whose orders are declined before any money moves."""

    __tablename__ = "risk_blocks"

    kind: str = Field(primary_key=True, max_length=16)  # "customer" or "email"
    value: str = Field(primary_key=True, max_length=320)  # an address in lower case
    reason: str = Field(max_length=500)
    set_by: str = Field(max_length=200)
    created_at: datetime = timestamp()


class RiskSwitch(SQLModel, table=True):
    """An operator's switch; on, every new order waits for a person's review."""

    __tablename__ = "risk_switches"

    name: str = Field(primary_key=True, max_length=64)
    on: bool
    reason: str = Field(max_length=500)
    set_by: str = Field(max_length=200)
    updated_at: datetime = timestamp()


class RiskAssessment(SQLModel, table=True):
    """An order's assessment, once per order: a re-run reads it back, and the spending window
    sums the customer's orders that passed (or were approved and hold money)."""

    __tablename__ = "risk_assessments"

    order_id: str = Field(primary_key=True, max_length=64)
    saga_id: str | None = Field(default=None, max_length=255)
    customer_id: str = Field(index=True, max_length=200)
    amount: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    currency: str = Field(max_length=3)
    verdict: str = Field(max_length=16)  # pass, review or block
    reasons: str = Field(max_length=2000)  # one per line, as the operator reads them
    assessed_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False, index=True)
