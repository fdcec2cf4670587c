"""/v1 routes of the review queue: list what waits for a person, and record their answer."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query

from dealwatch.promo.models import Review
from dealwatch.promo.review import Answer, count_pending, decide_review, get_review, list_reviews
from dealwatch.web.deps import ApiKeyDep, ClockDep, SessionDep
from dealwatch.web.schemas import ErrorOut, ReviewDecisionIn, ReviewListOut, ReviewOut

router = APIRouter(prefix="/v1/reviews", tags=["review"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or wrong X-API-Key"},
    403: {"model": ErrorOut, "description": "write calls disabled (no api.key set)"},
    404: {"model": ErrorOut, "description": "unknown review"},
    422: {"model": ErrorOut, "description": "invalid answer"},
}


def _out(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        website_id=review.store_id,
        date=review.day,
        url=review.url,
        status=review.status,
        proposed=review.proposed,
        has_promotion=review.has_promotion,
        promotion_type=review.promotion_type,
        promotion_text=review.promotion_text,
        reviewer=review.reviewer,
        created_at=review.created_at,
        decided_at=review.decided_at,
    )


@router.get("")
def reviews(
    session: SessionDep,
    status: Literal["pending", "confirmed", "corrected", "all"] = "pending",
    limit: int = Query(100, ge=1, le=1000),
) -> ReviewListOut:
    """Reviews by status, oldest day first (pending by default)."""
    rows = list_reviews(session, None if status == "all" else status, limit)
    return ReviewListOut(reviews=[_out(r) for r in rows], count=len(rows), pending=count_pending(session))


@router.get("/{review_id}", responses=ERRORS)
def review(review_id: int, session: SessionDep) -> ReviewOut:
    """One review with the machine's proposed verdict and evidence."""
    return _out(get_review(session, review_id))


@router.post("/{review_id}", responses=ERRORS, dependencies=[ApiKeyDep])
def decide(review_id: int, body: ReviewDecisionIn, session: SessionDep, clock: ClockDep) -> ReviewOut:
    """Confirm or correct a verdict; the answer becomes the day's verdict and labelled training data."""
    answer = Answer(body.has_promotion, body.promotion_type, body.promotion_text, body.reviewer)
    decided = decide_review(session, review_id, answer, clock)
    session.commit()
    return _out(decided)
