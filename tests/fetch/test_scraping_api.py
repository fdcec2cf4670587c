"""The scraping-API tier against a fake Firecrawl on loopback that fetches real pages from a loopback site."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import NotConfigured
from dealwatch.fetch.base import FetchRequest, Outcome
from dealwatch.fetch.safety import UrlGuard
from dealwatch.fetch.scraping_api import ScrapingApiFetcher, build_scraping_api
from dealwatch.settings import FetchSettings, Settings
from dealwatch.testing import LoopbackServer
from dealwatch.testing_firecrawl import FakeFirecrawl

KEY = "fc-test-key"
PAGE = "<html><head><title>Shop</title></head><body><h1>Cyber Monday: 25% off</h1></body></html>"


async def sale(request: Request) -> Response:
    return HTMLResponse(PAGE)


async def forbidden(request: Request) -> Response:
    return HTMLResponse("<p>Access denied</p>", status_code=403)


async def missing(request: Request) -> Response:
    return HTMLResponse("<p>Not found</p>", status_code=404)


SITE = Starlette(routes=[Route("/sale", sale), Route("/forbidden", forbidden), Route("/missing", missing)])


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer(SITE) as running:
        yield running


@pytest.fixture(scope="module")
def firecrawl_server() -> Iterator[tuple[FakeFirecrawl, LoopbackServer]]:
    fake = FakeFirecrawl(KEY)
    with LoopbackServer(fake.app) as running:
        yield fake, running


@pytest.fixture
def firecrawl(firecrawl_server: tuple[FakeFirecrawl, LoopbackServer]) -> FakeFirecrawl:
    fake, _ = firecrawl_server
    fake.calls = 0
    fake.bodies.clear()
    return fake


class Sleeps:
    """Records the waits the fetcher asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest_asyncio.fixture
async def make_fetcher(
    firecrawl_server: tuple[FakeFirecrawl, LoopbackServer], sleeps: Sleeps
) -> AsyncIterator[Fetchers]:
    made = Fetchers(firecrawl_server[1].url, sleeps)
    yield made
    for fetcher in made.built:
        await fetcher.aclose()


class Fetchers:
    """Builds fetchers pointed at the fake API; they are closed after the test."""

    def __init__(self, api_url: str, sleeps: Sleeps) -> None:
        self.api_url = api_url
        self.sleeps = sleeps
        self.built: list[ScrapingApiFetcher] = []

    def __call__(self, key: str = KEY, guard: UrlGuard | None = None) -> ScrapingApiFetcher:
        settings = FetchSettings(scraping_api={"base_url": self.api_url, "timeout": 5.0})
        fetcher = ScrapingApiFetcher(
            settings,
            FrozenClock.on(date(2025, 12, 1)),
            guard or UrlGuard(["127.0.0.0/8"]),
            api_key=key,
            sleep=self.sleeps,
        )
        self.built.append(fetcher)
        return fetcher


def get(url: str) -> FetchRequest:
    return FetchRequest(url=url, source="test")


async def test_scrape_gives_the_page_and_records_its_cost(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher().fetch(get(site.url + "/sale"))
    assert result.outcome is Outcome.OK, result.reason
    assert result.text() == PAGE
    assert result.content_type == "text/html; charset=utf-8"
    assert (result.http_status, result.final_url) == (200, site.url + "/sale")
    assert result.cost == Decimal("0.002")
    [attempt] = result.attempts
    assert (attempt.tier, attempt.outcome, attempt.cost) == ("scraping_api", Outcome.OK, Decimal("0.002"))
    assert attempt.bytes == len(PAGE)
    assert firecrawl.bodies == [
        {
            "url": site.url + "/sale",
            "formats": ["html", "markdown"],
            "onlyMainContent": False,
            "waitFor": 1000,
            "timeout": 5000,
        }
    ]


@pytest.mark.parametrize(
    ("path", "outcome", "reason"),
    [("/forbidden", Outcome.BLOCKED, "HTTP 403"), ("/missing", Outcome.FAILED, "HTTP 404")],
)
async def test_the_sites_status_decides_the_outcome_and_the_call_is_charged(
    site: LoopbackServer,
    firecrawl: FakeFirecrawl,
    make_fetcher: Fetchers,
    path: str,
    outcome: Outcome,
    reason: str,
) -> None:
    result = await make_fetcher().fetch(get(site.url + path))
    assert (result.outcome, result.reason, result.http_status) == (outcome, reason, int(reason[-3:]))
    assert result.content == b""
    assert result.cost == Decimal("0.002")


async def test_wrong_key_fails_with_the_apis_reason_and_costs_nothing(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher(key="fc-wrong").fetch(get(site.url + "/sale"))
    assert result.outcome is Outcome.FAILED
    assert result.reason == "scraping API HTTP 401: Unauthorized: Invalid token"
    assert result.http_status is None
    assert result.cost == Decimal(0)


@pytest.mark.parametrize(("status", "words"), [(402, "Payment required"), (500, "unexpected error")])
async def test_api_errors_fail_with_the_apis_reason(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers, status: int, words: str
) -> None:
    firecrawl.fail_next(status)
    result = await make_fetcher().fetch(get(site.url + "/sale"))
    assert result.outcome is Outcome.FAILED
    assert result.reason is not None
    assert result.reason.startswith(f"scraping API HTTP {status}: ")
    assert words in result.reason
    assert result.cost == Decimal(0)
    assert firecrawl.calls == 1


async def test_rate_limit_is_retried_once_after_retry_after(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers, sleeps: Sleeps
) -> None:
    firecrawl.fail_next(429, retry_after="7")
    result = await make_fetcher().fetch(get(site.url + "/sale"))
    assert result.outcome is Outcome.OK
    assert sleeps.waits == [7.0]
    assert [(a.number, a.outcome, a.reason, a.cost) for a in result.attempts] == [
        (1, Outcome.FAILED, "scraping API rate limited", Decimal(0)),
        (2, Outcome.OK, None, Decimal("0.002")),
    ]
    assert firecrawl.calls == 2


async def test_rate_limit_twice_fails(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers, sleeps: Sleeps
) -> None:
    firecrawl.fail_next(429, times=2, retry_after="3")
    result = await make_fetcher().fetch(get(site.url + "/sale"))
    assert (result.outcome, result.reason) == (Outcome.FAILED, "scraping API rate limited")
    assert sleeps.waits == [3.0]
    assert firecrawl.calls == 2
    assert result.cost == Decimal(0)


async def test_private_ip_literal_is_refused_without_calling_the_api(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers
) -> None:
    fetcher = make_fetcher(guard=UrlGuard())
    result = await fetcher.fetch(get(site.url + "/sale"))
    await fetcher.aclose()
    assert result.outcome is Outcome.FAILED
    assert result.reason is not None and "non-public address" in result.reason
    assert firecrawl.calls == 0
    assert result.cost == Decimal(0)


async def test_non_http_scheme_is_refused_without_calling_the_api(
    firecrawl: FakeFirecrawl, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher().fetch(get("file:///etc/passwd"))
    assert result.outcome is Outcome.FAILED
    assert result.reason is not None and "scheme 'file' not allowed" in result.reason
    assert firecrawl.calls == 0


async def test_host_names_are_left_to_the_provider(
    site: LoopbackServer, firecrawl: FakeFirecrawl, make_fetcher: Fetchers
) -> None:
    fetcher = make_fetcher(guard=UrlGuard())
    url = site.url.replace("127.0.0.1", "localhost") + "/sale"
    result = await fetcher.fetch(get(url))
    await fetcher.aclose()
    assert result.outcome is Outcome.OK
    assert firecrawl.calls == 1


def test_factory_needs_the_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIRECRAWL_API_KEY", raising=False)
    with pytest.raises(NotConfigured, match="FIRECRAWL_API_KEY not set"):
        build_scraping_api(Settings(), FrozenClock.on(date(2025, 1, 1)))


async def test_factory_reads_the_key_named_in_settings(
    site: LoopbackServer,
    firecrawl_server: tuple[FakeFirecrawl, LoopbackServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, api = firecrawl_server
    monkeypatch.setenv("SHOP_SCRAPER_KEY", KEY)
    settings = Settings(
        fetch={
            "allowed_networks": ["127.0.0.0/8"],
            "scraping_api": {"base_url": api.url, "api_key_env": "SHOP_SCRAPER_KEY"},
        }
    )
    fetcher = build_scraping_api(settings, FrozenClock.on(date(2025, 1, 1)))
    result = await fetcher.fetch(get(site.url + "/sale"))
    await fetcher.aclose()
    assert result.ok


async def test_fake_speaks_firecrawls_protocol(
    site: LoopbackServer, firecrawl_server: tuple[FakeFirecrawl, LoopbackServer]
) -> None:
    _, api = firecrawl_server
    async with httpx.AsyncClient(base_url=api.url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        bad = await client.post("/v1/scrape", json={"url": "ftp://example.org/", "formats": ["html"]})
        good = await client.post("/v1/scrape", json={"url": site.url + "/sale", "formats": ["markdown"]})
    assert bad.status_code == 400
    assert bad.json() == {"success": False, "error": "Bad Request: url: Invalid URL"}
    data = good.json()["data"]
    assert data["markdown"] == "Cyber Monday: 25% off"
    assert "html" not in data
    assert data["metadata"] == {
        "title": "Shop",
        "sourceURL": site.url + "/sale",
        "url": site.url + "/sale",
        "statusCode": 200,
    }
