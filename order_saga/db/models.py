"""Tables. The payments table follows the original design column for column."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Numeric, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timestamps are timezone-aware UTC."""
    return datetime.now(UTC)


JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


class ReservationStatus(StrEnum):
    RESERVED = "Reserved"
    RELEASED = "Released"


class PaymentStatus(StrEnum):
    PENDING = "Pending"
    CAPTURED = "Captured"
    FAILED = "Failed"
    REFUNDED = "Refunded"


class ShipmentStatus(StrEnum):
    CREATED = "Created"
    CANCELLED = "Cancelled"


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_products_stock_non_negative"),)

    sku: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    unit_price: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    currency: str = Field(default="usd", max_length=3)
    stock: int = Field(default=0)


class InventoryReservation(SQLModel, table=True):
    __tablename__ = "inventory_reservations"
    __table_args__ = (UniqueConstraint("order_id", "sku", name="uq_reservation_order_sku"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=64, index=True)
    sku: str = Field(max_length=64)
    quantity: int
    status: str = Field(max_length=16)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Payment(SQLModel, table=True):
    __tablename__ = "payments"

    payment_id: str = Field(primary_key=True)
    order_id: str = Field(unique=True, index=True)
    transaction_id: str | None = Field(default=None, index=True)
    amount: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    payment_method: str
    status: str = Field(index=True)
    gateway_response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON_DOCUMENT))
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"

    shipment_id: str = Field(primary_key=True)
    order_id: str = Field(unique=True, index=True)
    carrier: str
    tracking_number: str | None = None
    status: str = Field(max_length=16)
    address: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON_DOCUMENT))
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
