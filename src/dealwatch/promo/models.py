"""Tables owned by the promo job: stores, the day-by-day promotion history, reviews and predictions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dealwatch.db.base import Base, UtcDateTime


class Store(Base):
    """A watched store: its home page is fetched once a day."""

    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2048))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    selectors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    user_agent: Mapped[str | None] = mapped_column(String(400))
    category: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PromoDay(Base):
    """What one store showed on one day; has_promotion is NULL when the day is unknown (blocked, failed)."""

    __tablename__ = "promo_days"
    __table_args__ = (UniqueConstraint("store_id", "day", name="uq_promo_days_store_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    has_promotion: Mapped[bool | None] = mapped_column(Boolean)
    promotion_type: Mapped[str | None] = mapped_column(String(32))
    promotion_text: Mapped[str | None] = mapped_column(Text)
    discount_pct: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str | None] = mapped_column(String(32))
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fetch_outcome: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id", ondelete="SET NULL"))
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cost_usd: Mapped[float | None] = mapped_column(Float)  # paid detection tiers (LLM) for this day


class Review(Base):
    """A verdict the cascade was unsure of, queued for a person; their answer becomes the day's truth.

    One per store and day. `proposed` keeps the machine's verdict; once decided, `status` is
    `confirmed` (the person agreed) or `corrected`, and the decided row is labelled training data.
    """

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("store_id", "day", name="uq_reviews_store_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(2048))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | confirmed | corrected
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    has_promotion: Mapped[bool | None] = mapped_column(Boolean)
    promotion_type: Mapped[str | None] = mapped_column(String(32))
    promotion_text: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Prediction(Base):
    """A next-sale forecast issued for a store on a day (one per store per issue day)."""

    __tablename__ = "predictions"
    __table_args__ = (UniqueConstraint("store_id", "issued_on", name="uq_predictions_store_issued"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    predicted_date: Mapped[date | None] = mapped_column(Date)
    lower: Mapped[date | None] = mapped_column(Date)
    upper: Mapped[date | None] = mapped_column(Date)
    prob_7d: Mapped[float | None] = mapped_column(Float)
    prob_30d: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(32))
    data_points: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(32))
    expected_duration: Mapped[int | None] = mapped_column(Integer)
    # The model's replayed error on the store's own past when issued (see Forecast.backtest_mae).
    backtest_mae: Mapped[float | None] = mapped_column(Float)
    backtest_starts: Mapped[int | None] = mapped_column(Integer)
    # The track record: filled in when the next sale is seen to start.
    actual_date: Mapped[date | None] = mapped_column(Date)
    error_days: Mapped[int | None] = mapped_column(Integer)
