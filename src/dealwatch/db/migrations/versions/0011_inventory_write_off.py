"""inventory write-off

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written_off_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_inventory_items_written_off_at"), ["written_off_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_items_written_off_at"))
        batch_op.drop_column("written_off_at")
