"""/v1 routes of the promo job: stores, their history and predictions, and who is on sale."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from dealwatch.core.clock import Clock, today
from dealwatch.core.errors import NotFound
from dealwatch.promo.forecast import TrackRecord, latest_prediction, track_record
from dealwatch.promo.history import on_sale, store_history
from dealwatch.promo.models import Prediction, PromoDay
from dealwatch.promo.stores import StoreSummary, get_store, list_stores, store_summaries
from dealwatch.web.deps import ClockDep, SessionDep
from dealwatch.web.schemas import (
    BacktestOut,
    CurrentPromotionOut,
    ErrorOut,
    HistoryDayOut,
    HistoryOut,
    PredictionOut,
    PromotionOut,
    PromotionsOut,
    StoreListOut,
    StoreOut,
    TrackRecordOut,
)

router = APIRouter(prefix="/v1", tags=["promo"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown store or no prediction yet"}
}


def _confidence_label(prediction: Prediction) -> str:
    """'high' / 'medium' / 'low' from how many sale starts the forecast rests on."""
    if prediction.data_points >= 6:
        return "high"
    return "medium" if prediction.data_points >= 3 else "low"


def _prediction_out(prediction: Prediction, record: TrackRecord, clock: Clock) -> PredictionOut:
    predicted = prediction.predicted_date
    return PredictionOut(
        website_id=prediction.store_id,
        prediction_date=predicted,
        confidence_lower=prediction.lower,
        confidence_upper=prediction.upper,
        days_until=(predicted - today(clock)).days if predicted else None,
        confidence=_confidence_label(prediction),
        probability_7d=prediction.prob_7d,
        probability_30d=prediction.prob_30d,
        method=prediction.method,
        data_points=prediction.data_points,
        model_version=prediction.model_version,
        predicted_at=prediction.issued_at,
        expected_duration=prediction.expected_duration,
        backtest=BacktestOut(mae_days=prediction.backtest_mae, sale_starts=prediction.backtest_starts)
        if prediction.backtest_mae is not None and prediction.backtest_starts
        else None,
        track_record=TrackRecordOut(scored=record.scored, mae_days=record.mae_days, within_7=record.within_7),
    )


def _store_out(summary: StoreSummary, clock: Clock) -> StoreOut:
    store, prediction, day = summary.store, summary.prediction, summary.latest_day
    current = CurrentPromotionOut(active=None, last_active=summary.last_active, as_of=None)
    if day is not None:
        current.active, current.as_of = day.has_promotion, day.day
        if day.has_promotion:
            current.promotion_text = day.promotion_text
            current.promotion_type = day.promotion_type
            current.discount_pct = day.discount_pct
    return StoreOut(
        website_id=store.id,
        name=store.name,
        url=store.url,
        enabled=store.enabled,
        category=store.category,
        country=store.country,
        last_scraped=store.last_fetched_at,
        prediction=_prediction_out(prediction, summary.track_record, clock)
        if prediction and prediction.predicted_date
        else None,
        current_promotion=current,
    )


@router.get("/stores")
def stores_index(session: SessionDep, clock: ClockDep) -> StoreListOut:
    """Every store with its latest prediction and current promotion (one query per kind, not per store)."""
    stores = [_store_out(summary, clock) for summary in store_summaries(session)]
    return StoreListOut(stores=stores, total=len(stores), timestamp=clock.now())


@router.get("/stores/{store_id}", responses=NOT_FOUND)
def store_detail(store_id: str, session: SessionDep, clock: ClockDep) -> StoreOut:
    """One store."""
    store = get_store(session, store_id)
    return _store_out(store_summaries(session, [store.id])[0], clock)


@router.get("/stores/{store_id}/history", responses=NOT_FOUND)
def store_history_route(
    store_id: str,
    session: SessionDep,
    limit: int = Query(30, ge=1, le=3660),
    since: date | None = None,
) -> HistoryOut:
    """The store's daily history, newest first. Unknown days (blocked, failed) have has_promotion null."""
    store = get_store(session, store_id)
    days = store_history(session, store.id, limit=limit, since=since)
    total = (
        session.scalar(select(func.count()).select_from(PromoDay).where(PromoDay.store_id == store.id)) or 0
    )
    history = [_history_day(day) for day in days]
    return HistoryOut(website_id=store.id, history=history, count=len(history), total_records=total)


def _history_day(day: PromoDay) -> HistoryDayOut:
    status = (
        "unknown" if day.has_promotion is None else ("promotion" if day.has_promotion else "no_promotion")
    )
    return HistoryDayOut(
        date=day.day,
        has_promotion=day.has_promotion,
        status=status,
        promotion_text=day.promotion_text,
        promotion_type=day.promotion_type,
        discount_pct=day.discount_pct,
        confidence=day.confidence,
        detection_method=day.tier,
        fetch_outcome=day.fetch_outcome,
        detected_at=day.detected_at,
    )


@router.get("/stores/{store_id}/prediction", responses=NOT_FOUND)
def store_prediction(store_id: str, session: SessionDep, clock: ClockDep) -> PredictionOut:
    """The store's latest next-sale prediction."""
    store = get_store(session, store_id)
    prediction = latest_prediction(session, store.id)
    if prediction is None or prediction.predicted_date is None:
        seen = prediction.data_points if prediction else 0
        raise NotFound(
            f"no prediction for {store.id!r} yet: needs at least 2 observed sale starts, has {seen}"
        )
    return _prediction_out(prediction, track_record(session, store.id), clock)


@router.get("/promotions")
def promotions_on(session: SessionDep, clock: ClockDep, date: date | None = None) -> PromotionsOut:
    """Every store on sale on `date` (default: today)."""
    day = date or today(clock)
    names = {s.id: s.name for s in list_stores(session)}
    promotions = [
        PromotionOut(
            website_id=row.store_id,
            name=names.get(row.store_id, row.store_id),
            promotion_text=row.promotion_text,
            promotion_type=row.promotion_type,
            discount_pct=row.discount_pct,
            confidence=row.confidence,
        )
        for row in on_sale(session, day)
    ]
    return PromotionsOut(date=day, promotions=promotions, total=len(promotions))
