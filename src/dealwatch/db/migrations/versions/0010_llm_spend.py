"""llm spend ledger

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_spend",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_spend")),
    )
    with op.batch_alter_table("llm_spend", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_llm_spend_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("llm_spend", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_llm_spend_at"))

    op.drop_table("llm_spend")
