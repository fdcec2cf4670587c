"""The daily pass end to end: sandbox web on loopback ► fetch ► snapshot ► detect ► history ► forecast."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from dealwatch.core.clock import FrozenClock
from dealwatch.fetch.models import FetchAttempt
from dealwatch.llm import LlmSettings
from dealwatch.llm.models import LlmSpend
from dealwatch.pipeline import run_daily
from dealwatch.promo.detect.base import Detection, Page
from dealwatch.promo.detect.cascade import Cascade, build_cascade
from dealwatch.promo.models import Prediction, PromoDay
from dealwatch.promo.review import Answer, decide_review, list_reviews
from dealwatch.promo.stores import StoreSpec, import_stores
from dealwatch.sandbox import SandboxServer, SandboxWorld
from dealwatch.services import Services, build_services
from dealwatch.settings import Settings
from dealwatch.snapshots.models import Snapshot
from dealwatch.testing import LoopbackServer, SwappableApp
from dealwatch.testing_llm import FakeAnthropic

START = date(2025, 11, 1)
DAYS = 45


@pytest.fixture(scope="module")
def world() -> SandboxWorld:
    return SandboxWorld.generate(n_stores=6, seed=11, start=START, days=DAYS)


@pytest.fixture(scope="module")
def sandbox(world: SandboxWorld) -> Iterator[SandboxServer]:
    with SandboxServer(world, port=0) as server:
        yield server


@pytest.fixture(scope="module")
def robots_wall() -> Iterator[LoopbackServer]:
    """A site whose robots.txt disallows everything."""

    async def robots(_request: object) -> PlainTextResponse:
        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    with LoopbackServer(Starlette(routes=[Route("/robots.txt", robots)])) as server:
        yield server


def _services(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer, extra: list[StoreSpec]
) -> Services:
    services = build_services(settings, FrozenClock.on(START))
    specs = [
        StoreSpec(id=s.slug, name=s.name, url=sandbox.store_url(s.slug), selectors=dict(s.selectors))
        for s in world.stores
    ]
    with services.sessions.begin() as session:
        import_stores(session, specs + extra, services.clock)
    return services


async def _run(services: Services, sandbox: SandboxServer, day: date) -> None:
    sandbox.set_date(day)
    assert isinstance(services.clock, FrozenClock)
    services.clock.set(FrozenClock.on(day).now())
    await run_daily(services, day)


async def test_a_month_of_daily_passes_matches_the_hidden_truth(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    services = _services(settings, world, sandbox, [])
    try:
        for offset in range(DAYS):
            await _run(services, sandbox, START + timedelta(days=offset))
    finally:
        await services.aclose()
    with services.sessions() as session:
        rows = list(session.scalars(select(PromoDay)))
        assert len(rows) == len(world.stores) * DAYS  # exactly one row per store per day
        agree = sum(row.has_promotion == world.truth(row.store_id, row.day).has_promotion for row in rows)
        assert sum(1 for r in rows if r.has_promotion) > 0
        assert agree / len(rows) >= 0.85
        positives = [r for r in rows if r.has_promotion]
        assert all(r.tier and r.promotion_text for r in positives)
        attempts = session.scalar(select(func.count()).select_from(FetchAttempt))
        assert attempts == len(rows)  # one clean attempt per store-day
        snapshots = session.scalar(select(func.count()).select_from(Snapshot))
        assert 0 < (snapshots or 0) <= len(rows)
        with_forecast = session.scalar(
            select(func.count()).select_from(Prediction).where(Prediction.predicted_date.is_not(None))
        )
        assert (with_forecast or 0) > 0
    services.engine.dispose()


async def test_rerunning_a_day_gives_the_same_rows(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    services = _services(settings, world, sandbox, [])
    day = START + timedelta(days=27)

    def snapshot_of_rows(session: Session) -> list[tuple[object, ...]]:
        rows = session.scalars(select(PromoDay).order_by(PromoDay.store_id))
        return [(r.store_id, r.day, r.has_promotion, r.promotion_text, r.snapshot_id) for r in rows]

    try:
        await _run(services, sandbox, day)
        with services.sessions() as session:
            first = snapshot_of_rows(session)
            first_snapshots = session.scalar(select(func.count()).select_from(Snapshot))
        await _run(services, sandbox, day)
        with services.sessions() as session:
            assert snapshot_of_rows(session) == first
            assert session.scalar(select(func.count()).select_from(Snapshot)) == first_snapshots
            assert session.scalar(select(func.count()).select_from(Prediction)) == len(world.stores)
    finally:
        await services.aclose()
        services.engine.dispose()


class ExplodingOn:
    """A detector that fails on one store's pages, to show the failure stays with that store."""

    name = "exploding"

    def __init__(self, inner: object, marker: str) -> None:
        self.inner = inner
        self.marker = marker

    def detect(self, page: Page) -> Detection:
        if self.marker in page.url:
            raise ValueError("unparseable page")
        return self.inner.detect(page)  # type: ignore[attr-defined, no-any-return]

    def close(self) -> None:
        self.inner.close()  # type: ignore[attr-defined]


async def test_faults_stay_with_their_store_and_are_recorded(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer, robots_wall: LoopbackServer
) -> None:
    extra = [
        StoreSpec(id="closed", name="Closed", url="http://127.0.0.1:9/"),
        StoreSpec(id="walled", name="Walled", url=robots_wall.url + "/"),
    ]
    settings.fetch.max_retries = 1
    settings.fetch.backoff_base = 0.0
    services = _services(settings, world, sandbox, extra)
    victim = world.stores[0].slug
    services.detector = ExplodingOn(services.detector, sandbox.store_url(victim))  # type: ignore[assignment]
    day = START + timedelta(days=3)
    try:
        sandbox.set_date(day)
        summary = await run_daily(services, day)
    finally:
        await services.aclose()
    by_store = {s.store_id: s for s in summary.stores}
    assert len(summary.stores) == len(world.stores) + 2
    assert by_store["closed"].outcome == "failed" and by_store["closed"].has_promotion is None
    assert by_store["walled"].outcome == "robots_disallowed"
    victim_day = by_store[victim]
    assert (
        victim_day.parse_error
        and victim_day.has_promotion is None
        and "parse error" in (victim_day.reason or "")
    )
    assert summary.parse_errors == 1
    with services.sessions() as session:
        closed = session.scalars(select(FetchAttempt).where(FetchAttempt.source == "closed")).all()
        assert [a.outcome for a in closed] == ["failed"]
        assert "robots.txt unreachable" in (closed[0].reason or "")
        walled = session.scalars(select(FetchAttempt).where(FetchAttempt.source == "walled")).all()
        assert [a.outcome for a in walled] == ["robots_disallowed"]
        kept = session.scalar(select(PromoDay).where(PromoDay.store_id == victim))
        assert kept is not None and kept.snapshot_id is not None  # the bad page is stored and marked
        others = session.scalars(select(PromoDay).where(PromoDay.has_promotion.is_not(None))).all()
        assert len(others) == len(world.stores) - 1
    services.engine.dispose()


SALE_PAGE = (
    "<html><body><div class='announcement-bar'>Black Friday Sale: 30% off everything</div><main>"
    + "<p>Plenty of ordinary shop text about our products.</p>" * 10
    + "</main></body></html>"
)


async def _etag_page(request: Request) -> Response:
    if request.headers.get("if-none-match") == '"v1"':
        return Response(status_code=304)
    return HTMLResponse(SALE_PAGE, headers={"ETag": '"v1"'})


async def test_an_unchanged_page_reuses_yesterdays_detection(settings: Settings) -> None:
    app = Starlette(routes=[Route("/", _etag_page)])
    day = date(2025, 11, 28)
    with LoopbackServer(app) as server:
        services = build_services(settings, FrozenClock.on(day))
        with services.sessions.begin() as session:
            import_stores(session, [StoreSpec(id="etag", name="Etag", url=server.url + "/")], services.clock)
        try:
            await run_daily(services, day)
            assert isinstance(services.clock, FrozenClock)
            services.clock.advance(timedelta(days=1))
            summary = await run_daily(services, day + timedelta(days=1))
        finally:
            await services.aclose()
    assert summary.stores[0].outcome == "not_modified"
    with services.sessions() as session:
        first, second = session.scalars(select(PromoDay).order_by(PromoDay.day)).all()
        assert first.has_promotion and second.has_promotion
        assert second.promotion_text == first.promotion_text
        assert second.evidence == ["reused from 2025-11-28"]
    services.engine.dispose()


async def test_unsure_days_are_queued_for_review_and_a_persons_answer_survives_reruns(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    services = _services(settings, world, sandbox, [])
    base = build_cascade(settings, ["structured", "rules"])
    services.detector = Cascade(base.tiers, base.thresholds, review_below=1.01)  # every verdict is "unsure"
    try:
        await _run(services, sandbox, START)
        with services.sessions.begin() as session:
            pending = list_reviews(session)
            assert {r.store_id for r in pending} == {s.slug for s in world.stores}
            assert all(r.snapshot_id is not None and r.day == START for r in pending)
            first = pending[0]
            truth = world.truth(first.store_id, START).has_promotion
            decide_review(session, first.id, Answer(not truth, reviewer="ops"), services.clock)
        await _run(services, sandbox, START)  # re-run the day: the person's answer stands
    finally:
        await services.aclose()
    with services.sessions() as session:
        day = session.scalar(
            select(PromoDay).where(PromoDay.store_id == first.store_id, PromoDay.day == START)
        )
        assert day is not None and day.tier == "review" and day.has_promotion is (not truth)
        assert len(list_reviews(session)) == len(world.stores) - 1


async def test_the_llm_tiers_spend_is_kept_as_the_daily_pass_goes(
    settings: Settings,
    world: SandboxWorld,
    sandbox: SandboxServer,
    swap_server: tuple[str, SwappableApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The llm tier writes each call's cost to the database while the pass runs: never inside the
    # store's write transaction, where SQLite's one writer would hold it up until its timeout.
    verdict = json.dumps({"has_promotion": False, "confidence": 0.9, "promotion_text": None})
    fake = FakeAnthropic(api_key="sk-pass-key", responder=lambda prompt: verdict)
    url, swap = swap_server
    swap.app = fake.app
    monkeypatch.setenv("DEALWATCH_TEST_PASS_KEY", fake.api_key)
    settings.llm = LlmSettings(
        provider="anthropic", base_url=url, api_key_env="DEALWATCH_TEST_PASS_KEY", timeout=5
    )
    settings.promo.detect.tiers = ["llm"]
    services = _services(settings, world, sandbox, [])
    try:
        started = time.monotonic()
        await _run(services, sandbox, START)
        elapsed = time.monotonic() - started
    finally:
        await services.aclose()
    with services.sessions() as session:
        spent = session.scalar(select(func.count()).select_from(LlmSpend))
        days = session.scalars(select(PromoDay)).all()
    assert fake.calls > 0 and spent == fake.calls  # every paid call is in the ledger
    assert len(days) == len(world.stores) and all(d.fetch_outcome == "ok" and d.tier == "llm" for d in days)
    assert elapsed < 15  # a held-up write waits 30 s
