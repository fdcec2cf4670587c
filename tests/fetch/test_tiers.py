"""The fetch ladder with the real http tier on loopback: robots.txt, block vendors, escalation, learning."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from dealwatch.core.clock import FrozenClock
from dealwatch.fetch.base import Attempt, FetchRequest, FetchResult, Outcome
from dealwatch.fetch.learning import record_trials, start_tier
from dealwatch.fetch.tiers import Ladder, build_ladder
from dealwatch.settings import Settings
from dealwatch.testing import LoopbackServer

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "marketplace_pages"
REAL_WALL = SHARED / "ebay" / "blocked_pardon-our-interruption_2026-07-21.html"
PAGE = (
    "<html><body><header>Shop</header><main>"
    + "<p>Plenty of ordinary shop text here.</p>" * 20
    + "</main></body></html>"
)
SHELL = (
    "<html><head>" + '<link rel="preload" href="/static/chunk.js" as="script">' * 12 + "</head>"
    '<body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript>'
    '<script src="/app.js"></script></body></html>'
)
HITS: Counter[str] = Counter()


async def robots(_: Request) -> Response:
    return PlainTextResponse("User-agent: *\nDisallow: /private\n")


async def page(request: Request) -> Response:
    HITS[request.url.path] += 1
    bodies = {
        "/": PAGE,
        "/private": PAGE,
        "/shell": SHELL,
        "/slot": PAGE.replace("<main>", '<main><div class="promo-banner"></div>'),
    }
    return HTMLResponse(bodies[request.url.path])


async def cloudflare(_: Request) -> Response:
    html = (
        "<html><head><title>Just a moment...</title></head><body>"
        "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>"
    )
    return HTMLResponse(html, status_code=403, headers={"server": "cloudflare", "cf-mitigated": "challenge"})


async def real_wall(_: Request) -> Response:
    if not REAL_WALL.exists():
        return PlainTextResponse("missing", status_code=404)
    return HTMLResponse(REAL_WALL.read_text(encoding="utf-8"))


APP = Starlette(
    routes=[
        Route("/robots.txt", robots),
        *(Route(path, page) for path in ("/", "/private", "/shell", "/slot")),
        Route("/cf", cloudflare),
        Route("/wall", real_wall),
    ]
)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(APP) as running:
        yield running


class RenderTier:
    """A stand-in for a costlier tier: returns a rendered page and counts its calls."""

    name = "render"

    def __init__(self, clock: FrozenClock, delay: float = 0.0) -> None:
        self.clock = clock
        self.calls = 0
        self.delay = delay

    async def fetch(self, request: FetchRequest) -> FetchResult:
        self.calls += 1
        await asyncio.sleep(self.delay)
        attempt = Attempt("render", 1, self.clock.now(), 5, Outcome.OK, 200, len(PAGE))
        return FetchResult(
            request.url,
            Outcome.OK,
            "render",
            self.clock.now(),
            http_status=200,
            content=PAGE.encode(),
            attempts=[attempt],
        )

    async def aclose(self) -> None:
        pass


def make_ladder(render: RenderTier | None = None, **fetch: object) -> Ladder:
    defaults = {
        "tiers": ["http"],
        "per_host_delay": 0.0,
        "max_retries": 0,
        "allowed_networks": ["127.0.0.0/8"],
    }
    settings = Settings(fetch={**defaults, **fetch})
    ladder = build_ladder(settings, FrozenClock.on(date(2025, 1, 1)))
    if render is not None:
        ladder.tiers.append(render)
    return ladder


@pytest.fixture(autouse=True)
def _reset() -> None:
    HITS.clear()


async def test_plain_page_stops_at_the_first_tier(server: LoopbackServer) -> None:
    render = RenderTier(FrozenClock.on(date(2025, 1, 1)))
    ladder = make_ladder(render)
    result = await ladder.fetch(FetchRequest(url=server.url + "/", source="s"))
    await ladder.aclose()
    assert (result.outcome, result.tier, render.calls) == (Outcome.OK, "http", 0)
    assert [(t.tier, t.ok) for t in result.trials] == [("http", True)]


async def test_robots_disallowed_is_reported_and_never_requested(server: LoopbackServer) -> None:
    ladder = make_ladder()
    result = await ladder.fetch(FetchRequest(url=server.url + "/private", source="s"))
    await ladder.aclose()
    assert result.outcome is Outcome.ROBOTS_DISALLOWED and HITS["/private"] == 0


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/shell", "JavaScript shell"), ("/slot", "empty banner slot"), ("/cf", "blocked by cloudflare")],
)
async def test_climbs_past_shells_empty_banner_slots_and_walls(
    server: LoopbackServer, path: str, reason: str
) -> None:
    render = RenderTier(FrozenClock.on(date(2025, 1, 1)))
    ladder = make_ladder(render)
    result = await ladder.fetch(FetchRequest(url=server.url + path, source="s"))
    await ladder.aclose()
    assert (result.outcome, result.tier, render.calls) == (Outcome.OK, "render", 1)
    first = result.trials[0]
    assert first.tier == "http" and not first.ok and reason in (first.reason or "")
    assert [a.tier for a in result.attempts] == ["http", "render"]


async def test_walls_are_blocked_with_the_vendor_named(server: LoopbackServer) -> None:
    ladder = make_ladder()
    cf = await ladder.fetch(FetchRequest(url=server.url + "/cf", source="s"))
    await ladder.aclose()
    assert cf.outcome is Outcome.BLOCKED and "cloudflare" in (cf.reason or "")


async def test_a_real_saved_bot_wall_served_with_200_is_blocked(server: LoopbackServer) -> None:
    if not REAL_WALL.exists():
        pytest.skip(f"shared data not present: {REAL_WALL}")
    ladder = make_ladder()
    result = await ladder.fetch(FetchRequest(url=server.url + "/wall", source="s"))
    await ladder.aclose()
    assert result.http_status == 200 and result.outcome is Outcome.BLOCKED
    assert "Pardon Our Interruption" in (result.reason or "")


async def test_a_shell_with_nothing_better_is_still_used(server: LoopbackServer) -> None:
    ladder = make_ladder()
    result = await ladder.fetch(FetchRequest(url=server.url + "/slot", source="s"))
    await ladder.aclose()
    assert result.outcome is Outcome.OK and result.tier == "http"


async def test_start_tier_is_honoured_and_total_time_is_capped(server: LoopbackServer) -> None:
    render = RenderTier(FrozenClock.on(date(2025, 1, 1)))
    ladder = make_ladder(render)
    result = await ladder.fetch(FetchRequest(url=server.url + "/", source="s", start_tier="render"))
    assert result.tier == "render" and HITS["/"] == 0
    slow = make_ladder(RenderTier(FrozenClock.on(date(2025, 1, 1)), delay=5), total_timeout=0.3)
    capped = await slow.fetch(FetchRequest(url=server.url + "/shell", source="s"))
    await ladder.aclose()
    await slow.aclose()
    assert capped.outcome is Outcome.FAILED and "total time limit" in (capped.reason or "")


def test_learned_start_tier_climbs_below_60_percent_and_probes_again(sessions: sessionmaker[Session]) -> None:
    tiers = ["http", "browser", "scraping_api"]
    clock = FrozenClock.on(date(2025, 1, 1))

    def fetched(*trials: tuple[str, bool]) -> None:
        from dealwatch.fetch.base import TierTrial

        result = FetchResult(
            "u", Outcome.OK, trials[-1][0], clock.now(), trials=[TierTrial(t, ok) for t, ok in trials]
        )
        with sessions.begin() as session:
            record_trials(session, "shop", result)
        clock.advance(timedelta(days=1))

    def first() -> str:
        with sessions() as session:
            return start_tier(session, "shop", tiers, window=5, threshold=0.6, now=clock.now())

    assert first() == "http"  # no history: start cheap
    for _ in range(3):
        fetched(("http", False), ("browser", True))
    assert first() == "browser"  # http fails 3 of 3
    for _ in range(6):
        fetched(("browser", True))
    assert first() == "http"  # http not tried for more than the window: probe it again
    fetched(("http", True))
    assert first() == "http"
