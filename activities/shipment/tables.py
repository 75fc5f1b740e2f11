"""The shipments table: one booking per order and warehouse (a parcel), cancelled rather than
deleted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from activities.messages import HOME_WAREHOUSE
from activities.timestamps import JSON_DOCUMENT, timestamp


class ShipmentStatus(StrEnum):
    CREATED = "Created"
    CANCELLED = "Cancelled"


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "warehouse", name="uq_shipments_order_warehouse"),
    )

    shipment_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    warehouse: str = Field(default=HOME_WAREHOUSE, max_length=64)  # where the parcel leaves
    carrier: str
    tracking_number: str | None = None
    status: str = Field(max_length=16)
    workflow_id: str | None = Field(default=None, max_length=255)  # the owning saga
    saga_run: str | None = Field(default=None, max_length=64)  # its run chain
    address: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON_DOCUMENT))
    # The order's own return window, when it has one (else the deployment's RETURN_WINDOW_DAYS).
    return_window_days: int | None = None
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
