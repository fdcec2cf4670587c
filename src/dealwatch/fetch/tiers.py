"""The fetch ladder: robots.txt, then tiers in the order settings give, climbing when a cheaper tier
is blocked, fails, or returns a page whose banner only a browser could see.

Every tier's turn is kept as a TierTrial (why it climbed), so the pipeline can learn per store which
tier to start at.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import structlog

from dealwatch.core.clock import Clock
from dealwatch.core.registry import Registry
from dealwatch.fetch.base import Attempt, Fetcher, FetchRequest, FetchResult, Outcome, TierTrial
from dealwatch.fetch.blocks import detect_block
from dealwatch.fetch.browser import build_browser
from dealwatch.fetch.content import needs_rendering
from dealwatch.fetch.http import HttpFetcher
from dealwatch.fetch.politeness import HostGate, Politeness, RobotsCache, host_of
from dealwatch.fetch.safety import UnsafeURL, UrlGuard, guarded_client
from dealwatch.fetch.scraping_api import build_scraping_api
from dealwatch.settings import Settings

log = structlog.get_logger(__name__)

fetchers: Registry[Fetcher] = Registry("fetchers")

# A page this small is not a store's home page.
MIN_PAGE_BYTES = 512


@fetchers.register("http")
def build_http(settings: Settings, clock: Clock) -> Fetcher:
    """The plain HTTP tier."""
    return HttpFetcher(settings.fetch, clock, UrlGuard(settings.fetch.allowed_networks))


fetchers.register("browser")(build_browser)
fetchers.register("scraping_api")(build_scraping_api)


class Ladder:
    """Fetches through the cheapest tier that works and keeps every attempt."""

    name = "ladder"

    def __init__(
        self,
        tiers: list[Fetcher],
        settings: Settings,
        clock: Clock,
        guard: UrlGuard,
        politeness: Politeness,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if not tiers:
            raise ValueError("the fetch ladder needs at least one tier")
        self.tiers = tiers
        self.settings = settings.fetch
        self.clock = clock
        self.guard = guard
        self.politeness = politeness
        self._on_close = on_close

    @property
    def names(self) -> list[str]:
        return [tier.name for tier in self.tiers]

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch with the cheapest tier that works, within `fetch.total_timeout`."""
        try:
            return await asyncio.wait_for(self._fetch(request), self.settings.total_timeout)
        except TimeoutError:
            return self._give_up(request, f"total time limit of {self.settings.total_timeout:g}s reached")

    def _give_up(self, request: FetchRequest, reason: str, outcome: Outcome = Outcome.FAILED) -> FetchResult:
        return FetchResult(
            url=request.url,
            outcome=outcome,
            tier=self.tiers[0].name,
            fetched_at=self.clock.now(),
            reason=reason,
        )

    async def _fetch(self, request: FetchRequest) -> FetchResult:
        try:
            self.guard.check_shape(request.url)
        except UnsafeURL as exc:
            return self._give_up(request, f"refused by the SSRF guard: {exc}")
        user_agent = request.user_agent or self.settings.user_agent
        verdict = await self.politeness.robots_verdict(request.url, user_agent)
        if not verdict.allowed:
            outcome = Outcome.FAILED if verdict.unreadable else Outcome.ROBOTS_DISALLOWED
            return self._give_up(request, verdict.reason or "disallowed by robots.txt", outcome)

        host = host_of(request.url)
        attempts: list[Attempt] = []
        trials: list[TierTrial] = []
        fallback: FetchResult | None = None
        result: FetchResult | None = None
        for tier in self._tiers_from(request.start_tier):
            async with self.politeness.gate.slot(host, verdict.crawl_delay or 0.0):
                result = self._judge(await tier.fetch(request))
            attempts.extend(result.attempts)
            climb = self._reason_to_climb(result, request)
            trials.append(TierTrial(tier.name, climb is None, climb))
            if climb is None:
                break
            if result.outcome is Outcome.OK and fallback is None:
                fallback = result  # usable if no costlier tier does better
            log.info("fetch escalates", url=request.url, tier=tier.name, reason=climb)
        else:
            result = fallback or result
        assert result is not None
        result.attempts, result.trials = attempts, trials
        return result

    def _tiers_from(self, start: str | None) -> list[Fetcher]:
        names = self.names
        return self.tiers[names.index(start) :] if start in names else self.tiers

    def _judge(self, result: FetchResult) -> FetchResult:
        """Name the block a response shows; a 200 that is a bot wall becomes blocked."""
        if result.outcome in (Outcome.OK, Outcome.BLOCKED):
            block = detect_block(result.http_status, result.headers, result.content)
            if block is not None and (result.outcome is Outcome.BLOCKED or block.vendor != "http"):
                result.outcome = Outcome.BLOCKED
                result.reason = block.reason
        return result

    def _reason_to_climb(self, result: FetchResult, request: FetchRequest) -> str | None:
        if result.outcome in (Outcome.NOT_MODIFIED, Outcome.ROBOTS_DISALLOWED):
            return None
        if result.outcome is not Outcome.OK:
            return f"{result.outcome.value}: {result.reason}"
        if len(result.content) < MIN_PAGE_BYTES:
            return f"empty page ({len(result.content)} bytes)"
        if result.tier == "http":
            return needs_rendering(result.text(), request.banner_selectors)
        return None

    async def aclose(self) -> None:
        for tier in self.tiers:
            await tier.aclose()
        if self._on_close is not None:
            await self._on_close()


def build_ladder(settings: Settings, clock: Clock) -> Ladder:
    """The ladder of configured tiers that can run here, with shared politeness and SSRF guard."""
    guard = UrlGuard(settings.fetch.allowed_networks)
    robots_client = guarded_client(settings.fetch, guard)

    async def get_robots(url: str) -> tuple[int | None, str]:
        try:
            response = await robots_client.get(url)
        except (httpx.HTTPError, UnsafeURL):
            return None, ""
        return response.status_code, response.text

    def seconds() -> float:
        return clock.now().timestamp()

    politeness = Politeness(
        RobotsCache(get_robots, settings.fetch.robots_ttl, seconds=seconds),
        HostGate(settings.fetch.per_host_concurrency, settings.fetch.per_host_delay, seconds=seconds),
        obey_robots=settings.fetch.obey_robots,
    )
    tiers = [fetcher for _, fetcher in fetchers.build_many(settings.fetch.tiers, settings, clock)]
    return Ladder(tiers, settings, clock, guard, politeness, on_close=robots_client.aclose)
