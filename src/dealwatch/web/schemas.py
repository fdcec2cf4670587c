"""JSON shapes of the /v1 API (those of the Promo Tracker design's Appendix B, extended)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class TrackRecordOut(BaseModel):
    scored: int
    mae_days: float | None
    within_7: float | None


class BacktestOut(BaseModel):
    mae_days: float = Field(
        description="mean days off per sale start, the model replayed weekly over two years"
    )
    sale_starts: int = Field(description="sale starts the replays were scored against")


class PredictionOut(BaseModel):
    website_id: str
    prediction_date: date | None
    confidence_lower: date | None
    confidence_upper: date | None
    days_until: int | None
    confidence: str
    probability_7d: float | None
    probability_30d: float | None
    method: str
    data_points: int
    model_version: str
    predicted_at: datetime
    expected_duration: int | None
    backtest: BacktestOut | None = Field(
        description="how the model did on this store's own past when issued (None: not replayed)"
    )
    track_record: TrackRecordOut


class CurrentPromotionOut(BaseModel):
    active: bool | None
    last_active: date | None
    as_of: date | None
    promotion_text: str | None = None
    promotion_type: str | None = None
    discount_pct: int | None = None


class StoreOut(BaseModel):
    website_id: str
    name: str
    url: str
    enabled: bool
    category: str | None
    country: str | None
    last_scraped: datetime | None
    prediction: PredictionOut | None
    current_promotion: CurrentPromotionOut


class StoreListOut(BaseModel):
    stores: list[StoreOut]
    total: int
    timestamp: datetime


class HistoryDayOut(BaseModel):
    date: date
    has_promotion: bool | None
    status: str
    promotion_text: str | None = None
    promotion_type: str | None = None
    discount_pct: int | None = None
    confidence: float | None = None
    detection_method: str | None = None
    fetch_outcome: str
    detected_at: datetime


class HistoryOut(BaseModel):
    website_id: str
    history: list[HistoryDayOut]
    count: int
    total_records: int


class PromotionOut(BaseModel):
    website_id: str
    name: str
    promotion_text: str | None
    promotion_type: str | None
    discount_pct: int | None
    confidence: float | None


class PromotionsOut(BaseModel):
    date: date
    promotions: list[PromotionOut]
    total: int


class ErrorOut(BaseModel):
    error: str
    message: str


class ReviewOut(BaseModel):
    id: int
    website_id: str
    date: date
    url: str
    status: str
    proposed: dict[str, Any]
    has_promotion: bool | None
    promotion_type: str | None
    promotion_text: str | None
    reviewer: str | None
    created_at: datetime
    decided_at: datetime | None


class ReviewListOut(BaseModel):
    reviews: list[ReviewOut]
    count: int
    pending: int


class ReviewDecisionIn(BaseModel):
    has_promotion: bool
    promotion_type: str | None = None
    promotion_text: str | None = Field(None, max_length=2000)
    reviewer: str | None = Field(None, max_length=100)


class LlmDayOut(BaseModel):
    date: date
    calls: int = Field(description="paid LLM calls that day (UTC); cached answers cost nothing")
    usd: Decimal


class LlmSpendOut(BaseModel):
    limit_usd: Decimal = Field(description="llm.daily_budget_usd: what any rolling 24 h may cost")
    spent_24h_usd: Decimal
    paused: bool = Field(description="the budget is spent: LLM calls wait until the spend falls below it")
    days: list[LlmDayOut]
