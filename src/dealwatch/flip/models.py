"""Tables owned by the flip job: searches, listings (one per marketplace + id), events, opportunities."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dealwatch.db.base import Amount, Base, UtcDateTime


class Search(Base):
    """A saved search: marketplace + place (+ radius) + query/category + price band + keyword filters."""

    __tablename__ = "searches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(32))
    query: Mapped[str] = mapped_column(String(400), default="")
    location: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    radius_mi: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(100))
    min_price: Mapped[Decimal | None] = mapped_column(Amount)
    max_price: Mapped[Decimal | None] = mapped_column(Amount)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    antikeywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(String(2048))  # a search URL pasted from the browser, used as is
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_scanned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Listing(Base):
    """A marketplace listing as last seen; re-seeing it updates the row (price changes become events)."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("marketplace", "external_id", name="uq_listings_marketplace_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    marketplace: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    search_id: Mapped[str | None] = mapped_column(ForeignKey("searches.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(2048))
    price: Mapped[Decimal | None] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    price_note: Mapped[str | None] = mapped_column(String(32))
    location: Mapped[str | None] = mapped_column(String(200))
    distance_km: Mapped[Decimal | None] = mapped_column(Amount)
    condition: Mapped[str | None] = mapped_column(String(64))
    image_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    seller: Mapped[str | None] = mapped_column(String(200))
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # active | sold | expired
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ListingEvent(Base):
    """Something that happened to a listing: first seen, price drop or rise, sold, expired."""

    __tablename__ = "listing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # new | price_drop | price_rise | sold | expired
    old_price: Mapped[Decimal | None] = mapped_column(Amount)
    new_price: Mapped[Decimal | None] = mapped_column(Amount)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class Opportunity(Base):
    """A listing valued, costed and scored: the decision it was routed to and what a person decided.

    `route` is where the score sent it (buy | review | skip); `status` is where it stands
    (open → confirmed | rejected → listed → sold | written_off, or skipped). Money columns are in `currency`.
    """

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    buy_price: Mapped[Decimal | None] = mapped_column(Amount)
    estimate: Mapped[Decimal | None] = mapped_column(Amount)
    low: Mapped[Decimal | None] = mapped_column(Amount)
    high: Mapped[Decimal | None] = mapped_column(Amount)
    n_comps: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[float] = mapped_column(default=0.0)
    net_profit: Mapped[Decimal | None] = mapped_column(Amount)
    margin: Mapped[float | None] = mapped_column()
    roi: Mapped[float | None] = mapped_column()
    max_buy: Mapped[Decimal | None] = mapped_column(Amount)
    score: Mapped[float] = mapped_column(default=0.0, index=True)
    risk_level: Mapped[str | None] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why not valued, or the score's main reasons
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # comps used, fees, score parts
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))


class InventoryItem(Base):
    """An item a person bought to resell, followed from purchase to sale (purchased → listed → sold), or
    written off when it will never sell (broken, lost, returned, donated, scrapped).

    The estimate, expected profit and score are copied from the opportunity when the purchase is
    recorded, so later re-assessments cannot move the yardstick the realised sale is measured against.
    Realised profit, days to sell and the valuation error are computed when the sale is recorded; a
    write-off realises only its loss (recovered − cost − extra costs).
    Money columns are in `currency`.
    """

    __tablename__ = "inventory_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"), unique=True
    )
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(100))  # the fee table's category, if not "default"
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)  # purchased | listed | sold | written_off
    cost: Mapped[Decimal] = mapped_column(Amount)
    extra_costs: Mapped[Decimal] = mapped_column(Amount)  # travel, repairs, cleaning
    purchased_at: Mapped[datetime] = mapped_column(UtcDateTime)
    purchased_by: Mapped[str | None] = mapped_column(String(100))
    estimated_resale: Mapped[Decimal | None] = mapped_column(Amount)
    estimated_profit: Mapped[Decimal | None] = mapped_column(Amount)
    score: Mapped[float | None] = mapped_column()
    marketplace: Mapped[str | None] = mapped_column(String(32))  # where it is listed, then where it sold
    ask_price: Mapped[Decimal | None] = mapped_column(Amount)
    listed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    listing_url: Mapped[str | None] = mapped_column(String(2048))
    sold_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    sale_price: Mapped[Decimal | None] = mapped_column(Amount)
    shipping_charged: Mapped[Decimal | None] = mapped_column(Amount)
    shipped: Mapped[bool | None] = mapped_column(Boolean)
    fees: Mapped[Decimal | None] = mapped_column(Amount)
    fees_source: Mapped[str | None] = mapped_column(String(500))  # the fee table row, or "given"
    shipping_cost: Mapped[Decimal | None] = mapped_column(Amount)
    realised_profit: Mapped[Decimal | None] = mapped_column(Amount)
    days_to_sell: Mapped[int | None] = mapped_column(Integer)  # purchase → sale
    days_on_market: Mapped[int | None] = mapped_column(Integer)  # listing → sale
    valuation_error: Mapped[float | None] = mapped_column()  # (estimate − sale price) / sale price
    written_off_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InventoryEvent(Base):
    """One step of an inventory item (purchased, listed, sold, written_off), with what was recorded."""

    __tablename__ = "inventory_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inventory_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # purchased | listed | sold | written_off
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ListingImage(Base):
    """One photo of a listing: how its download ended, where its bytes are, its hash and what OCR read.

    Bytes live in the blob store under their content hash (`images/ab/abcd….jpg`), so a photo
    cross-posted on two marketplaces is stored, and read by OCR, once.
    """

    __tablename__ = "listing_images"
    __table_args__ = (UniqueConstraint("listing_id", "url", name="uq_listing_images_listing_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))  # ok | failed | blocked | too_large | not_image
    http_status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    blob_key: Mapped[str | None] = mapped_column(String(512))
    content_type: Mapped[str | None] = mapped_column(String(100))
    bytes: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    dhash: Mapped[str | None] = mapped_column(String(16))  # 64-bit difference hash, hex
    ocr_status: Mapped[str | None] = mapped_column(String(16))  # None (not read) | done | failed
    ocr_text: Mapped[str | None] = mapped_column(Text)
    ocr_models: Mapped[list[str]] = mapped_column(JSON, default=list)  # model numbers as written
    ocr_brands: Mapped[list[str]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CrossPost(Base):
    """A listing's membership of a cross-post group: one physical item posted on several marketplaces.

    `group_id` is the smallest listing id of the group; the evidence columns say why the listing joined
    (the post it matched, their title similarity, price gap and photo hash distance).
    """

    __tablename__ = "cross_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), unique=True)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    matched_listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
    title_similarity: Mapped[float] = mapped_column()
    price_gap: Mapped[float | None] = mapped_column()
    image_distance: Mapped[int | None] = mapped_column(Integer)
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
