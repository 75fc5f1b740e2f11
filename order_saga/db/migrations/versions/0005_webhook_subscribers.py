"""Subscribers to order events: URL, event types, signing secret, and times.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the table (a handful of rows: read whole at each order's start)."""
    op.create_table(
        "webhook_subscribers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("removed_at", TIMESTAMP, nullable=True),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("webhook_subscribers")
