"""Stock per warehouse: the catalogue's stock stays the home warehouse's; each other
warehouse's is a row of its own, and each reserved or restocked line names its warehouse.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the warehouses' stock; reservations and restocks say which warehouse."""
    op.create_table(
        "warehouse_stock",
        sa.Column("warehouse", sa.String(64), primary_key=True),
        sa.Column("sku", sa.String(64), sa.ForeignKey("products.sku"), primary_key=True),
        sa.Column("stock", sa.Integer, nullable=False),
        sa.CheckConstraint("stock >= 0", name="ck_warehouse_stock_non_negative"),
    )
    op.add_column("inventory_reservations", sa.Column("warehouse", sa.String(64)))
    op.add_column("inventory_restocks", sa.Column("warehouse", sa.String(64)))


def downgrade() -> None:
    """Back to one warehouse (the others' stock is lost)."""
    op.drop_column("inventory_restocks", "warehouse")
    op.drop_column("inventory_reservations", "warehouse")
    op.drop_table("warehouse_stock")
