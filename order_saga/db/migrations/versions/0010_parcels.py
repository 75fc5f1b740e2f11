"""A shipment per warehouse: an order ships in one parcel from each warehouse its lines come
from, so a shipment row is one order's parcel from one warehouse (rows from before are the
home warehouse's).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# SQLite's copy of the table names the unnamed unique constraint of 0001 by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    """One row per order and warehouse, no longer one per order."""
    warehouse = sa.Column("warehouse", sa.String(64), nullable=False, server_default="main")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("shipments", naming_convention=NAMING) as batch:
            batch.add_column(warehouse)
            batch.drop_constraint("uq_shipments_order_id", type_="unique")
            batch.create_unique_constraint(
                "uq_shipments_order_warehouse", ["order_id", "warehouse"]
            )
    else:
        op.add_column("shipments", warehouse)
        op.drop_constraint("shipments_order_id_key", "shipments", type_="unique")
        op.create_unique_constraint(
            "uq_shipments_order_warehouse", "shipments", ["order_id", "warehouse"]
        )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])


def downgrade() -> None:
    """One shipment per order again (fails while an order has two)."""
    op.drop_index("ix_shipments_order_id", "shipments")
    with op.batch_alter_table("shipments", naming_convention=NAMING) as batch:
        batch.drop_constraint("uq_shipments_order_warehouse", type_="unique")
        batch.drop_column("warehouse")
        batch.create_unique_constraint("uq_shipments_order_id", ["order_id"])
