"""The daily pass against every sandbox fault mode: one recorded outcome per store, no crash, no stall."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dealwatch.core.clock import FrozenClock
from dealwatch.fetch.models import FetchAttempt, TierTrial
from dealwatch.pipeline import run_daily
from dealwatch.promo.models import PromoDay
from dealwatch.promo.stores import StoreSpec, import_stores
from dealwatch.sandbox import SandboxServer, SandboxWorld
from dealwatch.services import build_services
from dealwatch.settings import Settings

START = date(2025, 11, 20)
# mode -> (expected outcome, a word the recorded reason must contain)
FAULTS: dict[str, tuple[str, str]] = {
    "slow:0.3": ("ok", ""),
    "timeout": ("failed", "time"),
    "reset": ("failed", ""),
    "rate_limit:0:2": ("ok", ""),  # two 429s, then the page: within the retry budget
    "unavailable:9": ("blocked", "HTTP 503"),  # more 503s than the budget
    "cloudflare": ("blocked", "cloudflare"),
    "akamai": ("blocked", "akamai"),
    "perimeterx": ("blocked", "perimeterx"),
    "datadome": ("blocked", "datadome"),
    "imperva": ("blocked", "imperva"),
    "bare403": ("blocked", "HTTP 403"),
    "truncated": ("failed", ""),
    "redirect_loop": ("failed", "redirects"),
    "huge": ("failed", "larger than"),
    "drip": ("failed", "time"),
    "robots_disallow": ("robots_disallowed", "robots"),
}


@pytest.fixture(scope="module")
def world() -> SandboxWorld:
    base = SandboxWorld.generate(n_stores=len(FAULTS) + 2, seed=5, start=START, days=20)
    faults = {store.slug: mode for store, mode in zip(base.stores, FAULTS, strict=False)}
    return base.with_faults(faults)


@pytest.fixture(scope="module")
def sandbox(world: SandboxWorld) -> Iterator[SandboxServer]:
    with SandboxServer(world, port=0) as server:
        yield server


async def test_every_store_ends_with_one_outcome_and_a_reason(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    settings.fetch.timeout = 1.5
    settings.fetch.total_timeout = 6.0
    settings.fetch.max_retries = 2
    settings.fetch.backoff_base = 0.05
    settings.fetch.max_bytes = 5_000_000
    services = build_services(settings, FrozenClock.on(START))
    specs = [StoreSpec(id=s.slug, name=s.name, url=sandbox.store_url(s.slug)) for s in world.stores]
    with services.sessions.begin() as session:
        import_stores(session, specs, services.clock)
    day = START + timedelta(days=1)
    sandbox.set_date(day)
    try:
        summary = await run_daily(services, day)
    finally:
        await services.aclose()

    by_store = {s.store_id: s for s in summary.stores}
    assert len(by_store) == len(world.stores)
    modes = {slug: str(fault) for slug, fault in world.faults.items()}
    for slug, mode in modes.items():
        expected, word = FAULTS[mode]
        store_day = by_store[slug]
        assert store_day.outcome == expected, (mode, store_day)
        assert word.lower() in (store_day.reason or "").lower(), (mode, store_day.reason)
        if expected != "ok":
            assert store_day.has_promotion is None, mode  # never "no sale"
    healthy = [s for s in world.stores if s.slug not in modes]
    assert all(by_store[s.slug].outcome == "ok" for s in healthy)

    with services.sessions() as session:
        days = session.scalars(select(PromoDay).where(PromoDay.day == day)).all()
        assert len(days) == len(world.stores)  # exactly one row per store
        for slug, mode in modes.items():
            attempts = session.scalars(select(FetchAttempt).where(FetchAttempt.source == slug)).all()
            assert len(attempts) <= settings.fetch.max_retries + 1, mode  # the retry budget holds
        trials = session.scalars(select(TierTrial)).all()
        assert trials, "every tier's turn is recorded"
    services.engine.dispose()


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Chromium not installed (apt-get install chromium)"
)
async def test_javascript_only_banner_is_found_by_the_browser_and_the_tier_is_learned(
    settings: Settings,
) -> None:
    world = SandboxWorld.generate(n_stores=3, seed=21, start=date(2025, 1, 1), days=365)
    slug = world.stores[0].slug
    world = world.with_faults({slug: "js_only"})
    sale_day = next(e.start for e in world.calendar(slug) if e.start >= date(2025, 1, 6))
    days = [sale_day - timedelta(days=4 - i) for i in range(5)]
    settings.fetch.tiers = ["http", "browser"]
    services = build_services(settings, FrozenClock.on(days[0]))
    with SandboxServer(world, port=0) as server:
        with services.sessions.begin() as session:
            import_stores(
                session, [StoreSpec(id=slug, name="JS shop", url=server.store_url(slug))], services.clock
            )
        try:
            for day in days:
                server.set_date(day)
                assert isinstance(services.clock, FrozenClock)
                services.clock.set(FrozenClock.on(day).now())
                await run_daily(services, day)
        finally:
            await services.aclose()
    with services.sessions() as session:
        rows = session.scalars(select(PromoDay).order_by(PromoDay.day)).all()
        assert [r.has_promotion for r in rows] == [world.truth(slug, d).has_promotion for d in days]
        assert rows[-1].has_promotion and rows[-1].promotion_text
        trials = session.scalars(select(TierTrial).order_by(TierTrial.at, TierTrial.id)).all()
    http = [t for t in trials if t.tier == "http"]
    assert len(http) == 3 and not any(
        t.ok for t in http
    )  # three misses, then the store starts at the browser
    assert all("JavaScript" in (t.reason or "") for t in http)
    assert sum(t.tier == "browser" and t.ok for t in trials) == 5
    services.engine.dispose()
