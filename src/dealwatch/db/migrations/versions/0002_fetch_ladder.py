"""fetch ladder: tier trials and validators

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:01:37.188410
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_trials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_trials")),
    )
    with op.batch_alter_table("tier_trials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_trials_source"), ["source"], unique=False)

    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("etag", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("last_modified", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.drop_column("last_modified")
        batch_op.drop_column("etag")

    with op.batch_alter_table("tier_trials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tier_trials_source"))

    op.drop_table("tier_trials")
