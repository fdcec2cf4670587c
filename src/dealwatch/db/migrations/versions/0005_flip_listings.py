"""flip listings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:49:42.480855
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "searches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("query", sa.String(length=400), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("radius_mi", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("min_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("max_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("antikeywords", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_scanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_searches")),
    )
    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("search_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_note", sa.String(length=32), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("distance_km", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("condition", sa.String(length=64), nullable=True),
        sa.Column("image_urls", sa.JSON(), nullable=False),
        sa.Column("seller", sa.String(length=200), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["search_id"], ["searches.id"], name=op.f("fk_listings_search_id_searches"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("marketplace", "external_id", name="uq_listings_marketplace_id"),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_search_id"), ["search_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_status"), ["status"], unique=False)

    op.create_table(
        "listing_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("new_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_events_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_events")),
    )
    with op.batch_alter_table("listing_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_events_listing_id"), ["listing_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("listing_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_events_listing_id"))

    op.drop_table("listing_events")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_status"))
        batch_op.drop_index(batch_op.f("ix_listings_search_id"))
        batch_op.drop_index(batch_op.f("ix_listings_expires_at"))

    op.drop_table("listings")
    op.drop_table("searches")
