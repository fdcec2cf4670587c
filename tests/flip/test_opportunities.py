"""The flip job end to end on both databases: a real Craigslist search page and real eBay sold results
served on loopback ► scan ► comps ► valuation ► profit ► score ► route ► opportunity ► alert ► decision."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from dealwatch.alerts.models import AlertDelivery
from dealwatch.alerts.notify import build_notifier
from dealwatch.core.clock import FrozenClock
from dealwatch.flip.comps import CachedComps, EbaySold
from dealwatch.flip.marketplaces.ebay import Ebay
from dealwatch.flip.models import Listing, Opportunity
from dealwatch.flip.searches import parse_search, save_searches
from dealwatch.llm import LlmSettings, build_llm
from dealwatch.pipeline import analyze_listings, run_scan
from dealwatch.services import Services, build_services
from dealwatch.settings import AlertSettings, ApiSettings, Settings
from dealwatch.testing import LoopbackServer, SwappableApp
from dealwatch.testing_llm import FakeAnthropic
from dealwatch.web.app import create_app

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)  # a few days after the saved sold results
STATIC = "search_static_sfbay_sss_surfing-board_2025-10_prettified.html"
SOLD = "search_sold_s-card_2006-vw-new-beetle_2026-05-06.html.gz"
PART = "2003-2010 VW New Beetle Convertible Left Driver Side Window Motor"
KEY = "opportunity-key-0123456789"


class Web:
    """One loopback site playing Craigslist search, eBay sold search and a webhook for alerts."""

    def __init__(self) -> None:
        self.search_html = self.sold_html = ""
        self.sold_calls = 0
        self.alerts: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/search/sss", self.search),
                Route("/sch/i.html", self.sold),
                Route("/hook", self.hook, methods=["POST"]),
                Route("/robots.txt", self.robots),
            ]
        )

    async def search(self, _request: Request) -> HTMLResponse:
        return HTMLResponse(self.search_html)

    async def sold(self, _request: Request) -> HTMLResponse:
        self.sold_calls += 1
        return HTMLResponse(self.sold_html)

    async def hook(self, request: Request) -> JSONResponse:
        self.alerts.append(await request.json())
        return JSONResponse({"ok": True})

    async def robots(self, _request: Request) -> PlainTextResponse:
        return PlainTextResponse("User-agent: *\nAllow: /\n")


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[Web, str]]:
    site = Web()
    with LoopbackServer(site.app) as server:
        yield site, server.url


@pytest.fixture
async def services(settings: Settings, web: tuple[Web, str]) -> AsyncIterator[Services]:
    site, url = web
    site.alerts.clear()
    site.sold_calls = 0
    alerts = AlertSettings(urls=[url.replace("http://", "json://") + "/hook"], min_score=0, min_profit=10)
    made = build_services(settings.model_copy(update={"alerts": alerts}), FrozenClock(NOW))
    made.comps = CachedComps(EbaySold(made.fetcher, Ebay(base=url)), made.blobs)
    made.notifier = build_notifier(alerts.urls)
    yield made
    await made.aclose()


async def _scan_beetle_search(services: Services, url: str) -> None:
    """Save a search for the loopback Craigslist page and scan it (analysis included)."""
    with services.sessions.begin() as session:
        spec = parse_search({"marketplace": "craigslist", "query": "beetle", "url": f"{url}/search/sss"})
        save_searches(session, [spec], services.clock)
    await run_scan(services)


def _pages(site: Web, page: Callable[[str, str], str], price: str) -> None:
    site.search_html = (
        page("craigslist", STATIC).replace("6’2 Bushwacker surfboard 37.6L", PART).replace("$400", price, 1)
    )
    site.sold_html = page("ebay", SOLD)


async def test_a_cheap_part_becomes_an_alerted_opportunity_and_a_price_drop_alerts_again(
    services: Services, web: tuple[Web, str], page: Callable[[str, str], str]
) -> None:
    site, url = web
    _pages(site, page, "$15")
    await _scan_beetle_search(services, url)
    with services.sessions() as session:
        listing = session.scalar(select(Listing).where(Listing.title == PART))
        assert listing is not None
        found = session.scalar(select(Opportunity).where(Opportunity.listing_id == listing.id))
        assert found is not None and found.n_comps >= 3
        assert found.estimate is not None and 40 <= found.estimate <= 120  # the window motors sold at 50-86
        assert found.net_profit is not None and found.net_profit > 0 and found.max_buy is not None
        assert found.details["comps"] and all(
            "Beetle" in c["title"] or "BEETLE" in c["title"] for c in found.details["comps"]
        )
        assert found.route in ("buy", "review", "skip") and found.status != "confirmed"
        total = session.scalar(select(func.count()).select_from(Opportunity))
    assert total == 65  # every new listing was judged (most have no comps: skipped, with the reason)
    assert any(PART in a["message"] for a in site.alerts)
    calls = site.sold_calls
    await analyze_listings(services, [listing.id])  # same listing, same price: no new alert, cached comps
    assert site.sold_calls == calls
    assert sum(PART in a["message"] for a in site.alerts) == 1
    _pages(site, page, "$9")
    assert isinstance(services.clock, FrozenClock)
    services.clock.set(NOW + timedelta(hours=2))
    [scan] = await run_scan(services)
    assert scan.price_drops == 1
    assert sum(PART in a["message"] for a in site.alerts) == 2  # re-alerted on the price drop
    with services.sessions() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AlertDelivery).where(AlertDelivery.status == "sent")
            )
            >= 2
        )


async def test_opportunities_api_lists_shows_comps_and_takes_decisions(
    settings: Settings, services: Services, web: tuple[Web, str], page: Callable[[str, str], str]
) -> None:
    site, url = web
    _pages(site, page, "$15")
    await _scan_beetle_search(services, url)
    app = create_app(settings.model_copy(update={"api": ApiSettings(key=KEY)}), FrozenClock(NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        body = (await client.get("/v1/opportunities", params={"min_score": 0, "status": "all"})).json()
        assert body["count"] == 65
        scores = [o["score"] for o in body["opportunities"]]
        assert scores == sorted(scores, reverse=True)
        best = next(o for o in body["opportunities"] if o["title"] == PART)
        one = (await client.get(f"/v1/opportunities/{best['id']}")).json()
        assert one["comps"] and one["estimate"] is not None and one["marketplace"] == "craigslist"
        refused = await client.post(f"/v1/opportunities/{best['id']}/decision", json={"decision": "confirm"})
        assert refused.status_code == 401
        bad = await client.post(
            f"/v1/opportunities/{best['id']}/decision", json={"decision": "maybe"}, headers={"X-API-Key": KEY}
        )
        assert bad.status_code == 422
        done = await client.post(
            f"/v1/opportunities/{best['id']}/decision",
            json={"decision": "confirm", "by": "sam"},
            headers={"X-API-Key": KEY},
        )
        assert done.status_code == 200 and done.json()["status"] == "confirmed"
        assert (await client.get("/v1/opportunities/999999")).status_code == 404


async def test_the_llm_tier_judges_costed_finds_and_its_verdict_is_kept(
    services: Services,
    web: tuple[Web, str],
    page: Callable[[str, str], str],
    swap_server: tuple[str, SwappableApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, url = web
    _pages(site, page, "$15")
    verdict = {
        "profit_score": 2,
        "confidence": 0.8,
        "estimated_profit": 20,
        "estimated_sell_price": 70,
        "profit_margin": 0.2,
        "risk_level": "high",
        "recommendation": "skip",
        "reasoning": "Motor fits convertibles only; demand is thin.",
        "concerns": ["compatibility"],
    }
    fake = FakeAnthropic(api_key="sk-flip-test", responder=lambda prompt: json.dumps(verdict))
    llm_url, swap = swap_server
    swap.app = fake.app
    monkeypatch.setenv("DEALWATCH_FLIP_LLM_KEY", fake.api_key)
    llm_settings = LlmSettings(provider="anthropic", base_url=llm_url, api_key_env="DEALWATCH_FLIP_LLM_KEY")
    services.llm = build_llm(llm_settings, services.clock)
    services.flip = replace(services.flip, review_at=0.0)  # every costed find goes at least to review
    await _scan_beetle_search(services, url)
    with services.sessions() as session:
        listing = session.scalar(select(Listing).where(Listing.title == PART))
        assert listing is not None
        found = session.scalar(select(Opportunity).where(Opportunity.listing_id == listing.id))
        assert found is not None and found.details["llm"]["verdict"]["recommendation"] == "skip"
        assert found.score <= 2 and found.route == "review"  # the model's (capped) score, same thresholds
    assert fake.calls >= 1 and PART in json.dumps(fake.bodies)


async def test_new_opportunities_stream_as_server_sent_events(
    settings: Settings, services: Services, web: tuple[Web, str], page: Callable[[str, str], str]
) -> None:
    site, url = web
    _pages(site, page, "$15")
    await _scan_beetle_search(services, url)
    app = create_app(settings, FrozenClock(NOW))
    events: list[dict[str, Any]] = []
    with LoopbackServer(app) as server:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=10) as client,
            client.stream(
                "GET", "/v1/events/opportunities", params={"poll": 0.1}, headers={"Last-Event-ID": "0"}
            ) as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                if len(events) == 3:
                    break
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert all({"title", "score", "route", "url"} <= set(e) for e in events)
