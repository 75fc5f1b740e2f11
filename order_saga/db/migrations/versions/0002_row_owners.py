"""Each reservation, payment and shipment records the saga (workflow id) that created it.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("inventory_reservations", "payments", "shipments")


def upgrade() -> None:
    """Add a nullable owner column: rows from before it have no recorded owner."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("workflow_id", sa.String(255), nullable=True))


def downgrade() -> None:
    """Drop the owner columns."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("workflow_id")
