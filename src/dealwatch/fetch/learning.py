"""Per-source memory of the ladder: which tier to start at, and the last page's validators.

The seed's rule: when a tier's success rate for a site falls below 60%, start that site at the next
tier. A skipped tier is probed again once its last trial is older than the learning window; when
the probe works, the site goes back to the cheap tier.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.fetch.base import FetchResult, Outcome
from dealwatch.fetch.models import FetchAttempt, TierTrial

MIN_TRIALS = 3


def start_tier(
    session: Session, source: str, tiers: list[str], *, window: int, threshold: float, now: datetime
) -> str:
    """The cheapest tier that has worked often enough lately for `source`."""
    for tier in tiers[:-1]:
        trials = session.scalars(
            select(TierTrial)
            .where(TierTrial.source == source, TierTrial.tier == tier)
            .order_by(TierTrial.at.desc(), TierTrial.id.desc())
            .limit(window)
        ).all()
        if len(trials) < MIN_TRIALS:
            return tier
        if trials[0].ok or sum(t.ok for t in trials) / len(trials) >= threshold:
            return tier  # it works again, or works often enough
        if now - trials[0].at > timedelta(days=window):
            return tier  # not tried for a while: probe it again
    return tiers[-1]


def record_trials(session: Session, source: str, result: FetchResult) -> None:
    """Keep each tier's turn of this fetch."""
    for trial in result.trials:
        session.add(
            TierTrial(source=source, tier=trial.tier, at=result.fetched_at, ok=trial.ok, reason=trial.reason)
        )


def last_validators(session: Session, source: str) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of the source's last good page, for a conditional GET."""
    row = session.execute(
        select(FetchAttempt.etag, FetchAttempt.last_modified)
        .where(FetchAttempt.source == source, FetchAttempt.outcome == Outcome.OK.value)
        .order_by(FetchAttempt.started_at.desc(), FetchAttempt.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)
