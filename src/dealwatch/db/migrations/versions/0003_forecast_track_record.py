"""forecast track record

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:14:16.834868
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_duration", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actual_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("error_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_column("error_days")
        batch_op.drop_column("actual_date")
        batch_op.drop_column("expected_duration")
