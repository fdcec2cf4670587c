"""listing images and cross-posts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_images",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("blob_key", sa.String(length=512), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("dhash", sa.String(length=16), nullable=True),
        sa.Column("ocr_status", sa.String(length=16), nullable=True),
        sa.Column("ocr_text", sa.Text(), nullable=True),
        sa.Column("ocr_models", sa.JSON(), nullable=False),
        sa.Column("ocr_brands", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_images_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_images")),
        sa.UniqueConstraint("listing_id", "url", name="uq_listing_images_listing_url"),
    )
    with op.batch_alter_table("listing_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_images_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listing_images_content_hash"), ["content_hash"], unique=False)

    op.create_table(
        "cross_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("matched_listing_id", sa.Integer(), nullable=True),
        sa.Column("title_similarity", sa.Double(), nullable=False),
        sa.Column("price_gap", sa.Double(), nullable=True),
        sa.Column("image_distance", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_cross_posts_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["matched_listing_id"],
            ["listings.id"],
            name=op.f("fk_cross_posts_matched_listing_id_listings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_posts")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_cross_posts_listing_id")),
    )
    with op.batch_alter_table("cross_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cross_posts_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cross_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cross_posts_group_id"))
    op.drop_table("cross_posts")
    with op.batch_alter_table("listing_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_images_content_hash"))
        batch_op.drop_index(batch_op.f("ix_listing_images_listing_id"))
    op.drop_table("listing_images")
