"""Initial schema: catalogue, reservations, payments (as the original design), shipments.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    """Create the four tables and their indexes."""
    op.create_table(
        "products",
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False, server_default="usd"),
        sa.Column("stock", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("stock >= 0", name="ck_products_stock_non_negative"),
    )
    op.create_table(
        "inventory_reservations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("order_id", "sku", name="uq_reservation_order_sku"),
    )
    op.create_index("ix_inventory_reservations_order_id", "inventory_reservations", ["order_id"])
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String, primary_key=True),
        sa.Column("order_id", sa.String, nullable=False, unique=True),
        sa.Column("transaction_id", sa.String, nullable=True),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("payment_method", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("gateway_response", JSON_DOCUMENT, nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_payments_order_id", "payments", ["order_id"])
    op.create_index("ix_payments_transaction_id", "payments", ["transaction_id"])
    op.create_index("ix_payments_status", "payments", ["status"])
    op.create_table(
        "shipments",
        sa.Column("shipment_id", sa.String, primary_key=True),
        sa.Column("order_id", sa.String, nullable=False, unique=True),
        sa.Column("carrier", sa.String, nullable=False),
        sa.Column("tracking_number", sa.String, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("address", JSON_DOCUMENT, nullable=True),
        *_timestamps(),
    )


def downgrade() -> None:
    """Drop them again, newest first."""
    op.drop_table("shipments")
    op.drop_index("ix_payments_status", "payments")
    op.drop_index("ix_payments_transaction_id", "payments")
    op.drop_index("ix_payments_order_id", "payments")
    op.drop_table("payments")
    op.drop_index("ix_inventory_reservations_order_id", "inventory_reservations")
    op.drop_table("inventory_reservations")
    op.drop_table("products")
