"""An order's own return window (on its shipment, which the return reads after the saga has
gone from Temporal), and the key a client opened a return with, so a repeated request finds
the return it opened instead of opening a second one.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the window's and the key's columns; one return per order and key."""
    op.add_column("shipments", sa.Column("return_window_days", sa.Integer))
    op.add_column("returns", sa.Column("request_key", sa.String(255)))
    op.add_column("returns", sa.Column("request_fingerprint", sa.String(64)))
    op.create_index(
        "uq_returns_order_request_key", "returns", ["order_id", "request_key"], unique=True
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("uq_returns_order_request_key", "returns")
    with op.batch_alter_table("returns") as batch:
        batch.drop_column("request_fingerprint")
        batch.drop_column("request_key")
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("return_window_days")
