"""The payments table, column for column as in the original design."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Numeric
from sqlmodel import Field, SQLModel

from activities.timestamps import JSON_DOCUMENT, timestamp


class PaymentStatus(StrEnum):
    PENDING = "Pending"
    AUTHORIZED = "Authorized"  # the card's bank holds the money; nothing taken yet
    # Some parcels' money taken, the rest of the authorization still held (multicapture).
    PARTIALLY_CAPTURED = "PartiallyCaptured"
    CAPTURED = "Captured"
    FAILED = "Failed"
    VOIDED = "Voided"  # an authorization released: no refund, no fee, nothing on a statement
    REFUNDED = "Refunded"


class Payment(SQLModel, table=True):
    __tablename__ = "payments"

    payment_id: str = Field(primary_key=True)
    order_id: str = Field(unique=True, index=True)
    transaction_id: str | None = Field(default=None, index=True)
    amount: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    payment_method: str
    status: str = Field(index=True)
    workflow_id: str | None = Field(default=None, max_length=255)  # the owning saga
    saga_run: str | None = Field(default=None, max_length=64)  # its run chain
    gateway_response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON_DOCUMENT))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Dispute(SQLModel, table=True):
    """A bank's dispute of an order's charge, as Stripe's events told it: the latest state."""

    __tablename__ = "disputes"

    dispute_id: str = Field(primary_key=True, max_length=255)
    order_id: str | None = Field(default=None, max_length=64, index=True)  # None: not ours
    payment_intent: str = Field(max_length=255)
    status: str = Field(max_length=32)
    amount: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    currency: str = Field(max_length=3)
    reason: str = Field(max_length=64)
    due_by: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reminded_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
