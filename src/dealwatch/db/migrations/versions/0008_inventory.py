"""inventory

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 07:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inventory_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("extra_costs", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("purchased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purchased_by", sa.String(length=100), nullable=True),
        sa.Column("estimated_resale", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("estimated_profit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("marketplace", sa.String(length=32), nullable=True),
        sa.Column("ask_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listing_url", sa.String(length=2048), nullable=True),
        sa.Column("sold_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sale_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("shipping_charged", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("shipped", sa.Boolean(), nullable=True),
        sa.Column("fees", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("fees_source", sa.String(length=500), nullable=True),
        sa.Column("shipping_cost", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("realised_profit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("days_to_sell", sa.Integer(), nullable=True),
        sa.Column("days_on_market", sa.Integer(), nullable=True),
        sa.Column("valuation_error", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_inventory_items_listing_id_listings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_inventory_items_opportunity_id_opportunities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_items")),
        sa.UniqueConstraint("opportunity_id", name=op.f("uq_inventory_items_opportunity_id")),
    )
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_items_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inventory_items_sold_at"), ["sold_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inventory_items_status"), ["status"], unique=False)

    op.create_table(
        "inventory_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_inventory_events_item_id_inventory_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_events")),
    )
    with op.batch_alter_table("inventory_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_events_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inventory_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_events_item_id"))

    op.drop_table("inventory_events")
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_items_status"))
        batch_op.drop_index(batch_op.f("ix_inventory_items_sold_at"))
        batch_op.drop_index(batch_op.f("ix_inventory_items_listing_id"))

    op.drop_table("inventory_items")
