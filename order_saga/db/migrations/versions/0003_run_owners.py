"""Each reservation, payment and shipment records the run chain that wrote it, not only its
workflow id: a new run under a finished order's workflow id must not touch the first one's rows.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("inventory_reservations", "payments", "shipments")


def upgrade() -> None:
    """Add a nullable run column: rows from before it have no recorded run."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("saga_run", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop the run columns."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("saga_run")
