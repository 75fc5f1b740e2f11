"""Risk before money: spending limits, the blocklist, the hold switch, and each order's
assessment (the spending window sums them).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the risk tables."""
    op.create_table(
        "risk_limits",
        sa.Column("customer_id", sa.String(200), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("window_hours", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "risk_blocks",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(320), primary_key=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "risk_switches",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("on", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "risk_assessments",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("saga_id", sa.String(255)),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reasons", sa.String(2000), nullable=False),
        sa.Column("assessed_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_risk_assessments_customer_id", "risk_assessments", ["customer_id"])
    op.create_index("ix_risk_assessments_assessed_at", "risk_assessments", ["assessed_at"])


def downgrade() -> None:
    """Drop them again."""
    for table in ("risk_assessments", "risk_switches", "risk_blocks", "risk_limits"):
        op.drop_table(table)
