"""The day-by-day promotion history: one row per store per day; unknown days stay unknown."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealwatch.core.clock import Clock
from dealwatch.promo.detect.base import Detection
from dealwatch.promo.models import PromoDay


def record_day(
    session: Session,
    *,
    store_id: str,
    day: date,
    fetch_outcome: str,
    clock: Clock,
    detection: Detection | None = None,
    snapshot_id: int | None = None,
    note: str | None = None,
) -> PromoDay:
    """Insert or update the store's row for `day` (idempotent).

    A re-run that learns nothing (blocked, failed) never overwrites a day already known.
    """
    row = session.scalar(select(PromoDay).where(PromoDay.store_id == store_id, PromoDay.day == day))
    known = detection is not None and detection.has_promotion is not None
    if row is not None and row.has_promotion is not None and not known:
        return row
    if row is None:
        row = PromoDay(store_id=store_id, day=day)
        session.add(row)
    row.fetch_outcome = fetch_outcome
    row.snapshot_id = snapshot_id
    row.note = note
    row.detected_at = clock.now()
    if detection is None:
        row.has_promotion = None
        row.promotion_type = row.promotion_text = row.tier = None
        row.discount_pct = None
        row.confidence = None
        row.evidence = []
    else:
        row.has_promotion = detection.has_promotion
        row.promotion_type = detection.promotion_type if detection.has_promotion else None
        row.promotion_text = detection.promotion_text if detection.has_promotion else None
        row.discount_pct = detection.discount_pct if detection.has_promotion else None
        row.confidence = round(detection.confidence, 4)
        row.tier = detection.tier
        row.evidence = list(detection.evidence)
        row.cost_usd = detection.cost_usd or None
    session.flush()
    return row


def store_history(
    session: Session,
    store_id: str,
    *,
    limit: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[PromoDay]:
    """The store's days, newest first."""
    query = select(PromoDay).where(PromoDay.store_id == store_id)
    if since is not None:
        query = query.where(PromoDay.day >= since)
    if until is not None:
        query = query.where(PromoDay.day <= until)
    query = query.order_by(PromoDay.day.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def daily_flags(session: Session, store_id: str, until: date) -> list[tuple[date, bool | None]]:
    """(day, has_promotion) up to `until`, oldest first; None marks an unknown day."""
    rows = session.execute(
        select(PromoDay.day, PromoDay.has_promotion)
        .where(PromoDay.store_id == store_id, PromoDay.day <= until)
        .order_by(PromoDay.day)
    )
    return [(day, flag) for day, flag in rows]


def on_sale(session: Session, day: date) -> list[PromoDay]:
    """Every store's row for `day` that shows a promotion."""
    query = (
        select(PromoDay)
        .where(PromoDay.day == day, PromoDay.has_promotion.is_(True))
        .order_by(PromoDay.store_id)
    )
    return list(session.scalars(query))


def last_active(session: Session, store_id: str) -> date | None:
    """The most recent day the store was seen on sale."""
    return session.scalar(
        select(PromoDay.day)
        .where(PromoDay.store_id == store_id, PromoDay.has_promotion.is_(True))
        .order_by(PromoDay.day.desc())
        .limit(1)
    )


def latest_days(session: Session, store_ids: Collection[str] | None = None) -> dict[str, PromoDay]:
    """Each store's most recent day (known or not), in one query for all stores (all when None)."""
    newest = select(PromoDay.store_id, func.max(PromoDay.day).label("day")).group_by(PromoDay.store_id)
    if store_ids is not None:
        newest = newest.where(PromoDay.store_id.in_(store_ids))
    latest = newest.subquery()
    query = select(PromoDay).join(
        latest, (PromoDay.store_id == latest.c.store_id) & (PromoDay.day == latest.c.day)
    )
    return {row.store_id: row for row in session.scalars(query)}


def last_active_days(session: Session, store_ids: Collection[str] | None = None) -> dict[str, date]:
    """The most recent sale day of each store seen on sale, in one query (all stores when None)."""
    query = (
        select(PromoDay.store_id, func.max(PromoDay.day))
        .where(PromoDay.has_promotion.is_(True))
        .group_by(PromoDay.store_id)
    )
    if store_ids is not None:
        query = query.where(PromoDay.store_id.in_(store_ids))
    return {store_id: day for store_id, day in session.execute(query)}


def last_known_detection(session: Session, store_id: str, *, before: date) -> Detection | None:
    """The store's most recent known verdict before `before`, to reuse when the page has not changed."""
    row = session.scalar(
        select(PromoDay)
        .where(PromoDay.store_id == store_id, PromoDay.day < before, PromoDay.has_promotion.is_not(None))
        .order_by(PromoDay.day.desc())
        .limit(1)
    )
    if row is None or row.has_promotion is None:
        return None
    return Detection(
        has_promotion=row.has_promotion,
        confidence=row.confidence or 0.0,
        tier=row.tier or "reused",
        promotion_type=row.promotion_type,
        promotion_text=row.promotion_text,
        discount_pct=row.discount_pct,
        evidence=(f"reused from {row.day.isoformat()}",),
    )
