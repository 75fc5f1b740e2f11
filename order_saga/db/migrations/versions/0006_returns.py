"""After the sale: each order's returns, the units they put back, what each unit was sold for,
and the disputes of its charge.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    """Create the returns, restocks and disputes tables; reservations keep the unit's price."""
    op.add_column("inventory_reservations", sa.Column("unit_price", sa.Numeric(10, 2)))
    op.add_column("inventory_reservations", sa.Column("currency", sa.String(3)))
    op.create_table(
        "returns",
        sa.Column("return_id", sa.String(96), primary_key=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lines", JSON_DOCUMENT, nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("opened_by", sa.String(255), nullable=False),
        sa.Column("workflow_run", sa.String(64), nullable=False),
        sa.Column("refund_id", sa.String(255)),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("order_id", "number", name="uq_returns_order_number"),
    )
    op.create_index("ix_returns_order_id", "returns", ["order_id"])
    op.create_table(
        "disputes",
        sa.Column("dispute_id", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(64)),
        sa.Column("payment_intent", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("due_by", TIMESTAMP),
        sa.Column("reminded_at", TIMESTAMP),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_disputes_order_id", "disputes", ["order_id"])
    op.create_table(
        "inventory_restocks",
        sa.Column("return_id", sa.String(96), primary_key=True),
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_disputes_order_id", "disputes")
    op.drop_table("disputes")
    op.drop_table("inventory_restocks")
    op.drop_index("ix_returns_order_id", "returns")
    op.drop_table("returns")
    op.drop_column("inventory_reservations", "currency")
    op.drop_column("inventory_reservations", "unit_price")
