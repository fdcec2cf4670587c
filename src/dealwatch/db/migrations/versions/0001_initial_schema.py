"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:31:12.086525
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("blob_key", sa.String(length=512), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_snapshots_content_hash")),
    )
    op.create_table(
        "stores",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("selectors", sa.JSON(), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
    )
    op.create_table(
        "fetch_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name=op.f("fk_fetch_attempts_snapshot_id_snapshots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_attempts")),
    )
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fetch_attempts_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_fetch_attempts_started_at"), ["started_at"], unique=False)

    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("predicted_date", sa.Date(), nullable=True),
        sa.Column("lower", sa.Date(), nullable=True),
        sa.Column("upper", sa.Date(), nullable=True),
        sa.Column("prob_7d", sa.Float(), nullable=True),
        sa.Column("prob_30d", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("data_points", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_predictions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint("store_id", "issued_on", name="uq_predictions_store_issued"),
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_predictions_store_id"), ["store_id"], unique=False)

    op.create_table(
        "promo_days",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("has_promotion", sa.Boolean(), nullable=True),
        sa.Column("promotion_type", sa.String(length=32), nullable=True),
        sa.Column("promotion_text", sa.Text(), nullable=True),
        sa.Column("discount_pct", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("tier", sa.String(length=32), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("fetch_outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name=op.f("fk_promo_days_snapshot_id_snapshots"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_promo_days_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promo_days")),
        sa.UniqueConstraint("store_id", "day", name="uq_promo_days_store_day"),
    )
    with op.batch_alter_table("promo_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promo_days_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_promo_days_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("promo_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promo_days_store_id"))
        batch_op.drop_index(batch_op.f("ix_promo_days_day"))

    op.drop_table("promo_days")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_predictions_store_id"))

    op.drop_table("predictions")
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetch_attempts_started_at"))
        batch_op.drop_index(batch_op.f("ix_fetch_attempts_source"))

    op.drop_table("fetch_attempts")
    op.drop_table("stores")
    op.drop_table("snapshots")
