"""The review queue: verdicts the cascade was unsure of wait here for a person, whose answer wins.

A person's answer replaces the machine's verdict for that store and day (the history and the
forecast read it from then on, and re-running the day keeps it), and every decided review is a
labelled page: `export_reviews` writes them in the `eval detect` format for `dealwatch train detect`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealwatch.core.clock import Clock
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.promo.detect.base import PROMOTION_TYPES, Detection
from dealwatch.promo.models import PromoDay, Review, Store
from dealwatch.snapshots.models import Snapshot
from dealwatch.snapshots.store import BlobStore

PENDING, CONFIRMED, CORRECTED = "pending", "confirmed", "corrected"
STATUSES = (PENDING, CONFIRMED, CORRECTED)


@dataclass(frozen=True, slots=True)
class Answer:
    """A person's verdict on one page."""

    has_promotion: bool
    promotion_type: str | None = None
    promotion_text: str | None = None
    reviewer: str | None = None


def queue_review(
    session: Session,
    *,
    store_id: str,
    day: date,
    url: str,
    detection: Detection,
    snapshot_id: int | None,
    clock: Clock,
) -> Review:
    """Queue (store, day) for review, or refresh the machine's verdict on a pending one (idempotent)."""
    review = session.scalar(select(Review).where(Review.store_id == store_id, Review.day == day))
    if review is None:
        review = Review(store_id=store_id, day=day, status=PENDING, created_at=clock.now())
        session.add(review)
    if review.status == PENDING:
        review.url = url
        review.snapshot_id = snapshot_id
        review.proposed = {
            "has_promotion": detection.has_promotion,
            "promotion_type": detection.promotion_type,
            "promotion_text": detection.promotion_text,
            "confidence": detection.confidence,
            "tier": detection.tier,
            "evidence": list(detection.evidence),
        }
    session.flush()
    return review


def human_verdict(session: Session, store_id: str, day: date) -> Detection | None:
    """The person's decided verdict for (store, day), if there is one: it overrides any tier."""
    review = session.scalar(
        select(Review).where(Review.store_id == store_id, Review.day == day, Review.status != PENDING)
    )
    return _as_detection(review) if review is not None else None


def _as_detection(review: Review) -> Detection:
    who = f"reviewer:{review.reviewer}" if review.reviewer else "reviewer"
    return Detection(
        review.has_promotion,
        1.0,
        "review",
        promotion_type=review.promotion_type,
        promotion_text=review.promotion_text,
        evidence=(who, f"review:{review.id}"),
    )


def list_reviews(session: Session, status: str | None = PENDING, limit: int = 100) -> list[Review]:
    """Reviews by status (all when None), oldest first."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    query = select(Review).order_by(Review.day, Review.id).limit(limit)
    if status is not None:
        query = query.where(Review.status == status)
    return list(session.scalars(query))


def count_pending(session: Session) -> int:
    """How many reviews wait for a person."""
    return session.scalar(select(func.count()).select_from(Review).where(Review.status == PENDING)) or 0


def get_review(session: Session, review_id: int) -> Review:
    """One review; NotFound names the id."""
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review {review_id}")
    return review


def decide_review(session: Session, review_id: int, answer: Answer, clock: Clock) -> Review:
    """Record a person's answer and make it the day's verdict; bad answers change nothing."""
    review = get_review(session, review_id)
    kind = answer.promotion_type
    if answer.has_promotion:
        if kind is not None and kind not in PROMOTION_TYPES:
            raise InvalidInput(f"promotion_type must be one of {', '.join(PROMOTION_TYPES)}, not {kind!r}")
        kind = kind or review.proposed.get("promotion_type") or "other"
        text = answer.promotion_text or review.proposed.get("promotion_text")
    else:
        kind, text = None, None
    agreed = review.proposed.get("has_promotion") is answer.has_promotion
    review.status = CONFIRMED if agreed else CORRECTED
    review.has_promotion = answer.has_promotion
    review.promotion_type = kind
    review.promotion_text = text
    review.reviewer = answer.reviewer
    review.decided_at = clock.now()
    day = session.scalar(
        select(PromoDay).where(PromoDay.store_id == review.store_id, PromoDay.day == review.day)
    )
    if day is not None:
        day.has_promotion = answer.has_promotion
        day.promotion_type = kind
        day.promotion_text = text
        if not answer.has_promotion:
            day.discount_pct = None
        day.confidence = 1.0
        day.tier = "review"
        day.evidence = list(_as_detection(review).evidence)
    session.flush()
    return review


def export_reviews(session: Session, blobs: BlobStore, out: Path) -> int:
    """Write decided reviews whose page is stored as a labelled directory (labels.jsonl + pages/)."""
    (out / "pages").mkdir(parents=True, exist_ok=True)
    rows = session.execute(
        select(Review, Snapshot, Store.selectors)
        .join(Snapshot, Snapshot.id == Review.snapshot_id)
        .join(Store, Store.id == Review.store_id)
        .where(Review.status != PENDING)
        .order_by(Review.id)
    ).all()
    with (out / "labels.jsonl").open("w", encoding="utf-8") as labels:
        for review, snapshot, selectors in rows:
            name = f"pages/review-{review.id}.html"
            (out / name).write_bytes(blobs.get(snapshot.blob_key))
            record = {
                "file": name,
                "url": review.url,
                "has_promotion": review.has_promotion,
                "promotion_type": review.promotion_type,
                "promotion_text": review.promotion_text,
                "day": review.day.isoformat(),
                "selectors": selectors or {},
            }
            labels.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(rows)
