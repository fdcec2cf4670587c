"""The marketplace scan end to end on both databases: a real saved search page served on loopback ►
fetch ladder ► snapshot ► adapter ► listings, price drops, keyword filters, blocks and expiry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import ConfigError, InvalidInput, NotFound
from dealwatch.flip.listings import active_listings
from dealwatch.flip.models import Listing, ListingEvent
from dealwatch.flip.searches import parse_search, read_searches_toml, save_searches
from dealwatch.pipeline import run_scan
from dealwatch.services import Services, build_services
from dealwatch.settings import ApiSettings, Settings
from dealwatch.snapshots.models import Snapshot
from dealwatch.testing import LoopbackServer
from dealwatch.web.app import create_app

NOW = datetime(2025, 10, 14, 12, tzinfo=UTC)
STATIC = "search_static_sfbay_sss_surfing-board_2025-10_prettified.html"


class FakeMarketplace:
    """Serves whatever page is current at /search/sss, like a marketplace whose listings change."""

    def __init__(self) -> None:
        self.html = ""
        routes = [Route("/search/sss", self.search), Route("/robots.txt", self.robots)]
        self.app = Starlette(routes=routes)

    async def search(self, _request: Request) -> HTMLResponse:
        return HTMLResponse(self.html)

    async def robots(self, _request: Request) -> PlainTextResponse:
        return PlainTextResponse("User-agent: *\nAllow: /\n")


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[FakeMarketplace, str]]:
    fake = FakeMarketplace()
    with LoopbackServer(fake.app) as server:
        yield fake, server.url


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    made = build_services(settings, FrozenClock(NOW))
    yield made
    await made.aclose()


def _save(services: Services, url: str, **extra: object) -> str:
    spec = parse_search({"marketplace": "craigslist", "query": "surfing board", "url": url, **extra})
    with services.sessions.begin() as session:
        save_searches(session, [spec], services.clock)
    return spec.search_id


async def test_a_scan_stores_listings_once_and_records_price_drops(
    services: Services, site: tuple[FakeMarketplace, str], page: Callable[[str, str], str]
) -> None:
    fake, url = site
    fake.html = page("craigslist", STATIC)
    search_id = _save(services, f"{url}/search/sss?query=surfing")
    [first] = await run_scan(services)
    assert (first.outcome, first.new, first.failures) == ("ok", 65, 0)
    fake.html = fake.html.replace("$400", "$350", 1)  # the first card (7888520643) drops its price
    assert isinstance(services.clock, FrozenClock)
    services.clock.set(NOW + timedelta(hours=6))
    [again] = await run_scan(services, [search_id])
    assert (again.new, again.seen_again, again.price_drops) == (0, 65, 1)
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Listing)) == 65  # never duplicated
        board = session.scalar(select(Listing).where(Listing.external_id == "7888520643"))
        assert board is not None and board.price == Decimal("350") and board.currency == "USD"
        kinds = [
            e.kind for e in session.scalars(select(ListingEvent).where(ListingEvent.listing_id == board.id))
        ]
        assert kinds == ["new", "price_drop"]
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 2  # each page kept as fetched
        assert len(active_listings(session, search_id, limit=500)) == 65


async def test_keywords_antikeywords_and_price_band_filter_before_storing(
    services: Services, site: tuple[FakeMarketplace, str], page: Callable[[str, str], str]
) -> None:
    fake, url = site
    fake.html = page("craigslist", STATIC)
    _save(
        services,
        f"{url}/search/sss?query=surfing",
        keywords=["surfboard"],
        antikeywords=["foam"],
        max_price=500,
    )
    [scan] = await run_scan(services)
    assert scan.new + scan.filtered == 65 and 0 < scan.new < 65
    with services.sessions() as session:
        rows = list(session.scalars(select(Listing)))
        assert all("surfboard" in r.title.lower() and "foam" not in r.title.lower() for r in rows)
        assert all(r.price is None or r.price <= 500 for r in rows)


async def test_a_blocked_marketplace_is_reported_blocked_and_listings_expire(
    services: Services, site: tuple[FakeMarketplace, str], page: Callable[[str, str], str]
) -> None:
    fake, url = site
    fake.html = page("craigslist", STATIC)
    search_id = _save(services, f"{url}/search/sss?query=surfing")
    await run_scan(services)
    fake.html = page("ebay", "blocked_pardon-our-interruption_2026-07-21.html")
    assert isinstance(services.clock, FrozenClock)
    services.clock.set(NOW + timedelta(days=8))
    [blocked] = await run_scan(services, [search_id])
    assert blocked.outcome == "blocked" and blocked.reason
    with services.sessions() as session:
        statuses = set(session.scalars(select(Listing.status)))
        assert statuses == {"expired"}  # unseen for more than 7 days; the blocked scan saw nothing


async def test_bad_searches_are_refused_with_the_field_named(tmp_path: object) -> None:
    with pytest.raises(InvalidInput, match="marketplace"):
        parse_search({"marketplace": "myspace", "query": "x"})
    with pytest.raises(InvalidInput, match="query text or a category"):
        parse_search({"marketplace": "ebay", "query": " "})
    with pytest.raises(InvalidInput, match="min_price"):
        parse_search({"marketplace": "ebay", "query": "drone", "min_price": 100, "max_price": 50})


def test_searches_toml_errors_name_the_entry(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "searches.toml"
    path.write_text(
        '[[searches]]\nmarketplace = "ebay"\nquery = "dji drone"\n\n[[searches]]\nmarketplace = "nope"\n'
    )
    with pytest.raises(ConfigError, match=r"searches\[1\]"):
        read_searches_toml(path)


async def test_scanning_an_unknown_search_says_so(services: Services) -> None:
    with pytest.raises(NotFound, match="no-such"):
        await run_scan(services, ["no-such"])


async def test_the_api_starts_a_scan_and_lists_what_it_found(
    settings: Settings, site: tuple[FakeMarketplace, str], page: Callable[[str, str], str]
) -> None:
    fake, url = site
    fake.html = page("craigslist", STATIC)
    key = "scan-key-0123456789abcdef"
    app = create_app(settings.model_copy(update={"api": ApiSettings(key=key)}), FrozenClock(NOW))
    spec = parse_search(
        {"marketplace": "craigslist", "query": "surfing", "url": f"{url}/search/sss", "location": "sfbay"}
    )
    with app.state.sessions.begin() as session:
        save_searches(session, [spec], FrozenClock(NOW))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            refused = await client.post("/v1/scans", json={})
            assert refused.status_code == 401
            other = await client.post("/v1/scans", json={"locations": ["boston"]}, headers={"X-API-Key": key})
            assert other.json() == {"searches": [], "new_listings": 0}
            done = await client.post(
                "/v1/scans", json={"marketplaces": ["craigslist"]}, headers={"X-API-Key": key}
            )
            assert done.status_code == 200 and done.json()["new_listings"] == 65
            assert done.json()["searches"][0]["outcome"] == "ok"
            found = (await client.get("/v1/listings", params={"limit": 5})).json()
            assert found["count"] == 5 and found["listings"][0]["currency"] == "USD"
    finally:
        await app.state.services.aclose()
