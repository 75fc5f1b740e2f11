"""The inventory service's tables: the catalogue with its stock, the stock of every other
warehouse, and each order's reservations (each line from one warehouse)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from activities.timestamps import timestamp


class ReservationStatus(StrEnum):
    RESERVED = "Reserved"
    RELEASED = "Released"


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_products_stock_non_negative"),)

    sku: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    unit_price: Decimal = Field(sa_type=Numeric(10, 2), nullable=False)
    currency: str = Field(default="usd", max_length=3)
    # The home warehouse's stock (`HOME_WAREHOUSE`), where all stock was before warehouses:
    # builds still draining take and give back here. Other warehouses: `WarehouseStock`.
    stock: int = Field(default=0)


class WarehouseStock(SQLModel, table=True):
    """Units of a product on hand in a warehouse other than the home one."""

    __tablename__ = "warehouse_stock"
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_warehouse_stock_non_negative"),)

    warehouse: str = Field(primary_key=True, max_length=64)
    sku: str = Field(primary_key=True, max_length=64, foreign_key="products.sku")
    stock: int = Field(default=0)


class InventoryReservation(SQLModel, table=True):
    __tablename__ = "inventory_reservations"
    __table_args__ = (UniqueConstraint("order_id", "sku", name="uq_reservation_order_sku"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=64, index=True)
    sku: str = Field(max_length=64)
    quantity: int
    workflow_id: str | None = Field(default=None, max_length=255)  # the owning saga
    saga_run: str | None = Field(default=None, max_length=64)  # its run chain
    status: str = Field(max_length=16)
    # What the order paid a unit (the price check made it the catalogue's): a return refunds
    # it. None on rows written before prices were kept.
    unit_price: Decimal | None = Field(default=None, sa_type=Numeric(10, 2), nullable=True)
    currency: str | None = Field(default=None, max_length=3)
    # Where the line's units are held (None: the home warehouse, as before warehouses).
    warehouse: str | None = Field(default=None, max_length=64)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Restock(SQLModel, table=True):
    """Units a return put back on the shelf: one row per return and SKU, so a retried
    restock adds nothing twice."""

    __tablename__ = "inventory_restocks"

    return_id: str = Field(primary_key=True, max_length=96)
    sku: str = Field(primary_key=True, max_length=64)
    quantity: int
    warehouse: str | None = Field(default=None, max_length=64)  # None: the home warehouse
    created_at: datetime = timestamp()
