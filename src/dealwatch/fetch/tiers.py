"""The fetch ladder: tiers in the order settings give, escalating when a cheaper tier fails."""

from __future__ import annotations

import structlog

from dealwatch.core.clock import Clock
from dealwatch.core.registry import Registry
from dealwatch.fetch.base import Attempt, Fetcher, FetchRequest, FetchResult, Outcome
from dealwatch.fetch.http import HttpFetcher
from dealwatch.settings import Settings

log = structlog.get_logger(__name__)

fetchers: Registry[Fetcher] = Registry("fetchers")

# These outcomes are final: a costlier tier would not change them.
FINAL = frozenset({Outcome.OK, Outcome.NOT_MODIFIED, Outcome.ROBOTS_DISALLOWED})


@fetchers.register("http")
def _build_http(settings: Settings, clock: Clock) -> Fetcher:
    return HttpFetcher(settings.fetch, clock)


class Ladder:
    """Tries each tier in turn until one gives a final outcome; keeps every attempt."""

    name = "ladder"

    def __init__(self, tiers: list[Fetcher]) -> None:
        if not tiers:
            raise ValueError("the fetch ladder needs at least one tier")
        self.tiers = tiers

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch with the cheapest tier that works."""
        attempts: list[Attempt] = []
        result: FetchResult | None = None
        for tier in self.tiers:
            result = await tier.fetch(request)
            attempts.extend(result.attempts)
            if result.outcome in FINAL:
                break
            log.info(
                "escalating", url=request.url, tier=tier.name, outcome=result.outcome, reason=result.reason
            )
        assert result is not None
        result.attempts = attempts
        return result

    async def aclose(self) -> None:
        for tier in self.tiers:
            await tier.aclose()


def build_ladder(settings: Settings, clock: Clock) -> Ladder:
    """The ladder of configured tiers that can run here."""
    return Ladder([fetcher for _, fetcher in fetchers.build_many(settings.fetch.tiers, settings, clock)])
