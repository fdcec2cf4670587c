"""prediction backtest error

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backtest_mae", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("backtest_starts", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_column("backtest_starts")
        batch_op.drop_column("backtest_mae")
