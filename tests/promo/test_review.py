"""The review queue on both databases: queue, decide, the person's answer wins, export as training data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.eval.detect import read_labels
from dealwatch.promo.detect.base import Detection
from dealwatch.promo.history import record_day, store_history
from dealwatch.promo.review import (
    Answer,
    count_pending,
    decide_review,
    export_reviews,
    human_verdict,
    list_reviews,
    queue_review,
)
from dealwatch.promo.stores import add_store, parse_spec
from dealwatch.snapshots.store import BlobStore, save_snapshot

DAY = date(2025, 11, 28)
UNSURE = Detection(True, 0.62, "ml", "percentage_off", "Promoção: 20% em tudo", 20, ("banner:div.x",))
PAGE = "<html><body><div class='x'>Promoção: 20% em tudo</div></body></html>"


def _queue(sessions: sessionmaker[Session], clock: FrozenClock, blobs: BlobStore | None = None) -> int:
    with sessions.begin() as session:
        add_store(
            session,
            parse_spec({"url": "https://loja.example/", "name": "Loja", "selectors": {"bar": "div.x"}}),
            clock,
        )
        snapshot_id = None
        if blobs is not None:
            snapshot = save_snapshot(
                session,
                blobs,
                content=PAGE.encode(),
                source="loja",
                url="https://loja.example/",
                tier="http",
                content_type="text/html",
                fetched_at=clock.now(),
            )
            snapshot_id = snapshot.id
        record_day(
            session,
            store_id="loja",
            day=DAY,
            fetch_outcome="ok",
            clock=clock,
            detection=UNSURE,
            snapshot_id=snapshot_id,
        )
        review = queue_review(
            session,
            store_id="loja",
            day=DAY,
            url="https://loja.example/",
            detection=UNSURE,
            snapshot_id=snapshot_id,
            clock=clock,
        )
        return review.id


def test_queueing_is_idempotent_and_keeps_the_machine_verdict(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    first = _queue(sessions, clock)
    with sessions.begin() as session:
        again = queue_review(
            session,
            store_id="loja",
            day=DAY,
            url="https://loja.example/",
            detection=UNSURE,
            snapshot_id=None,
            clock=clock,
        )
        assert again.id == first
        assert count_pending(session) == 1
        [pending] = list_reviews(session)
        assert pending.proposed["promotion_text"] == "Promoção: 20% em tudo"
        assert pending.proposed["confidence"] == 0.62 and pending.proposed["tier"] == "ml"
        assert human_verdict(session, "loja", DAY) is None


def test_a_correction_becomes_the_days_verdict(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    review_id = _queue(sessions, clock)
    with sessions.begin() as session:
        decided = decide_review(session, review_id, Answer(False, reviewer="ana"), clock)
        assert decided.status == "corrected" and decided.decided_at == clock.now()
    with sessions() as session:
        [day] = store_history(session, "loja")
        assert day.has_promotion is False and day.tier == "review" and day.confidence == 1.0
        assert day.promotion_text is None and day.discount_pct is None
        verdict = human_verdict(session, "loja", DAY)
        assert verdict is not None and verdict.has_promotion is False and "reviewer:ana" in verdict.evidence
        assert list_reviews(session) == [] and len(list_reviews(session, "corrected")) == 1


def test_a_confirmation_keeps_the_machine_text_unless_given(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    review_id = _queue(sessions, clock)
    with sessions.begin() as session:
        decided = decide_review(session, review_id, Answer(True), clock)
        assert decided.status == "confirmed"
        assert (
            decided.promotion_text == "Promoção: 20% em tudo" and decided.promotion_type == "percentage_off"
        )


def test_bad_answers_change_nothing(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    review_id = _queue(sessions, clock)
    with pytest.raises(InvalidInput, match="promotion_type"), sessions.begin() as session:
        decide_review(session, review_id, Answer(True, promotion_type="mega_sale"), clock)
    with pytest.raises(NotFound, match="no review 999"), sessions.begin() as session:
        decide_review(session, 999, Answer(True), clock)
    with pytest.raises(InvalidInput, match="status"), sessions() as session:
        list_reviews(session, "maybe")
    with sessions() as session:
        assert count_pending(session) == 1
        assert store_history(session, "loja")[0].tier == "ml"


def test_decided_reviews_export_as_labelled_pages(
    sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path
) -> None:
    blobs = BlobStore((tmp_path / "blobs").as_uri())
    review_id = _queue(sessions, clock, blobs)
    out = tmp_path / "reviewed"
    with sessions() as session:
        assert export_reviews(session, blobs, out) == 0  # nothing decided yet
    with sessions.begin() as session:
        decide_review(session, review_id, Answer(True, "percentage_off", "Promoção: 20% em tudo"), clock)
    with sessions() as session:
        assert export_reviews(session, blobs, out) == 1
    [label] = read_labels(out)
    assert label.has_promotion is True and label.promotion_text == "Promoção: 20% em tudo"
    assert label.selectors == {"bar": "div.x"} and label.day == DAY
    assert (out / label.file).read_text(encoding="utf-8") == PAGE
    assert (
        json.loads((out / "labels.jsonl").read_text().splitlines()[0])["promotion_type"] == "percentage_off"
    )
