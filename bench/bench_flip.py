"""Benchmark: the flip chain's throughput, and how long a high-value find takes from fetch to alert.

Prints one JSON object per line: {"bench", "value", "unit", "baseline", "ratio"}.
  * parse + normalise: every real saved search page of ../shared/data/marketplace_pages (Craigslist,
    Facebook, OfferUp, eBay) read by its adapter, listings per second on one core;
  * value + profit + score + route: every sold listing of the saved eBay sold-results page, offered at
    half its price, assessed against the other sold listings of that page (what the comps lookup of
    its title returns), listings per second on one core;
  * the chain (parse + normalise + value + score, no remote LLM: each parsed listing is also assessed)
    on 2 processes at once, in listings per hour; the baseline is the seed's 50,000 listings/hour, the
    issue's goal 500,000;
  * fetch to alert: a Craigslist-like search page with one high-value listing and an eBay-like sold page,
    served on loopback as two sites, scanned by the real pipeline (`run_scan`: fetch, snapshot, parse,
    record, comps fetch, valuation, scoring, routing, Apprise alert to a loopback webhook); seconds from
    the scan's start to the webhook receiving the alert, median of BENCH_FLIP_RUNS (default 5) fresh
    databases. Baseline: the seed's 30 s.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from dealwatch.alerts.notify import build_notifier
from dealwatch.core.clock import FrozenClock
from dealwatch.core.money import Money
from dealwatch.flip.comps import CachedComps, EbaySold, SoldItems
from dealwatch.flip.fees import load_fee_tables
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.marketplaces import Ebay, marketplaces
from dealwatch.flip.opportunities import FlipRules, assess
from dealwatch.flip.searches import parse_search, save_searches
from dealwatch.logs import configure_logging
from dealwatch.pipeline import run_scan
from dealwatch.services import build_services
from dealwatch.settings import AlertSettings, Settings
from dealwatch.testing import LoopbackServer

PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "marketplace_pages"
SEARCH_PAGES = {
    "craigslist": [
        "search_rendered-gallery_boston_sss_2023-11-29.html",
        "search_rendered-thumb_lasvegas_ggg_2025-07-15.html",
        "search_result-row_sfbay_pen_sof_2019-12-05.html",
        "search_static_lasvegas_ggg_2025-07-15.html",
        "search_static_sfbay_sss_surfing-board_2025-10_prettified.html",
    ],
    "facebook": [
        "category-feed_boston_motorcycles_2024-06-12.html",
        "search_houston_dji-drone_2025-02-06.html.gz",
    ],
    "offerup": ["explore_cars-trucks_wichita-ks_2025-10-09.html"],
    "ebay": [
        "search_active_s-card_kitchen-accessories_2026-04-02.html.gz",
        "search_active_s-item_hot-toys-star-wars_2021-02.html.gz",
        "search_sold_s-card_2006-vw-new-beetle_2026-05-06.html.gz",
    ],
}
SOLD_PAGE = "search_sold_s-card_2006-vw-new-beetle_2026-05-06.html.gz"
CRAIGSLIST_PAGE = "search_static_sfbay_sss_surfing-board_2025-10_prettified.html"
PART = "2003-2010 VW New Beetle Convertible Left Driver Side Window Motor"
NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)  # two weeks after the saved sold results
SEED_PER_HOUR = 50_000
SEED_ALERT_SECONDS = 30.0
GOAL_PER_HOUR = 500_000
RUNS = int(os.environ.get("BENCH_FLIP_RUNS", "5"))
CHAIN_SECONDS = float(os.environ.get("BENCH_FLIP_SECONDS", "10"))


def emit(
    bench: str, value: float, unit: str, baseline: float, *, lower_is_better: bool = False, **extra: object
) -> None:
    """One result line; `ratio` is how many times better than the baseline."""
    ratio = (
        round((baseline / value if lower_is_better else value / baseline), 2) if baseline and value else None
    )
    print(
        json.dumps(
            {"bench": bench, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio, **extra}
        ),
        flush=True,
    )


def read(site: str, name: str) -> str:
    path = PAGES / site / name
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.read()
    return path.read_text(encoding="utf-8")


def load_pages() -> list[tuple[str, str]]:
    return [(site, read(site, name)) for site, names in SEARCH_PAGES.items() for name in names]


def parse_all(pages: list[tuple[str, str]]) -> list[ListingDraft]:
    drafts: list[ListingDraft] = []
    for site, html in pages:
        adapter = marketplaces.build(site)
        drafts += adapter.parse_search(html, f"https://{site}.example/search", NOW).listings
    return drafts


def sold_items() -> SoldItems:
    page = Ebay().parse_search(read("ebay", SOLD_PAGE), "https://www.ebay.com/sch/i.html", NOW)
    return SoldItems("vw new beetle", "ok", tuple(page.listings), NOW)


def offers(sold: SoldItems) -> list[tuple[ListingDraft, SoldItems]]:
    """Each sold listing, offered again at half price, with the rest of the page as its comps."""
    out = []
    for i, item in enumerate(sold.items):
        if item.price is None:
            continue
        half = Money(item.price.amount / 2, item.price.currency)
        rest = SoldItems(sold.query, "ok", sold.items[:i] + sold.items[i + 1 :], NOW)
        out.append((ListingDraft(**{**_fields(item), "price": half, "sold": False}), rest))
    return out


def _fields(draft: ListingDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in draft.__dataclass_fields__}


def assess_all(batch: list[tuple[ListingDraft, SoldItems]]) -> int:
    fees, rules = load_fee_tables(), FlipRules()
    return sum(1 for draft, comps in batch if assess(draft, comps, fees, rules, NOW).route)


def per_second(work: Any, arg: Any, count: int, seconds: float = 3.0) -> float:
    """Items per CPU second of `work(arg)` (which handles `count` items), repeated for about `seconds`."""
    work(arg)  # warm caches and imports
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        work(arg)
        done += count
    return done / (time.process_time() - started)


def chain_worker(seconds: float) -> tuple[int, float]:
    """One process running the whole chain until `seconds` pass: every parsed listing is also valued,
    costed, scored and routed (the sold-page offers stand in for the parsed listings' own comps).
    Returns (listings through the chain, wall time)."""
    pages, batch = load_pages(), offers(sold_items())
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        parsed = len(parse_all(pages))
        assess_all([batch[i % len(batch)] for i in range(parsed)])
        done += parsed
    return done, time.perf_counter() - started


class Sites:
    """Two loopback sites: a Craigslist-like search page with one underpriced part, and eBay sold results
    plus the alert webhook; `alerted` is set when the webhook receives the alert."""

    def __init__(self) -> None:
        self.search_html = (
            read("craigslist", CRAIGSLIST_PAGE)
            .replace("6’2 Bushwacker surfboard 37.6L", PART)
            .replace("$400", "$5", 1)
        )
        self.sold_html = read("ebay", SOLD_PAGE)
        self.alerted = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        robots = Route("/robots.txt", lambda _r: PlainTextResponse("User-agent: *\nAllow: /\n"))
        self.market = Starlette(routes=[robots, Route("/search/sss", self.search)])
        self.ebay = Starlette(
            routes=[robots, Route("/sch/i.html", self.sold), Route("/hook", self.hook, methods=["POST"])]
        )

    async def search(self, _request: Request) -> HTMLResponse:
        return HTMLResponse(self.search_html)

    async def sold(self, _request: Request) -> HTMLResponse:
        return HTMLResponse(self.sold_html)

    async def hook(self, request: Request) -> JSONResponse:
        await request.body()
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.alerted.set)
        return JSONResponse({"ok": True})


async def fetch_to_alert(sites: Sites, market_url: str, ebay_url: str, data_dir: Path) -> float:
    sites.loop = asyncio.get_running_loop()
    sites.alerted = asyncio.Event()
    alerts = AlertSettings(
        urls=[ebay_url.replace("http://", "json://") + "/hook"], min_score=0, min_profit=10
    )
    settings = Settings(
        data_dir=data_dir,
        alerts=alerts,
        fetch={"allowed_networks": ["127.0.0.0/8"], "per_host_delay": 0.0, "tiers": ["http"]},
    )
    services = build_services(settings, FrozenClock(NOW))
    services.comps = CachedComps(EbaySold(services.fetcher, Ebay(base=ebay_url)), services.blobs)
    services.notifier = build_notifier(alerts.urls)
    try:
        with services.sessions.begin() as session:
            spec = parse_search(
                {"marketplace": "craigslist", "query": "beetle", "url": f"{market_url}/search/sss"}
            )
            save_searches(session, [spec], services.clock)
        started = time.perf_counter()
        scan = asyncio.create_task(run_scan(services))
        await asyncio.wait_for(sites.alerted.wait(), timeout=60)
        elapsed = time.perf_counter() - started
        await scan
        return elapsed
    finally:
        await services.aclose()


def main() -> None:
    configure_logging("WARNING")
    if not PAGES.is_dir():
        print(
            json.dumps(
                {"bench": "flip", "skipped": f"{PAGES} not found: the shared real-data folder is absent"}
            )
        )
        return
    pages, batch = load_pages(), offers(sold_items())
    parsed = len(parse_all(pages))
    parse_rate = per_second(parse_all, pages, parsed)
    goal_per_core = GOAL_PER_HOUR / 3600 / 2
    emit(
        "flip_parse_normalise",
        round(parse_rate, 1),
        "listings/s/core",
        round(goal_per_core, 1),
        pages=len(pages),
    )
    assess_rate = per_second(assess_all, batch, len(batch))
    emit(
        "flip_value_score_route",
        round(assess_rate, 1),
        "listings/s/core",
        round(goal_per_core, 1),
        comps=len(batch) - 1,
    )

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(chain_worker, [CHAIN_SECONDS, CHAIN_SECONDS])
    per_hour = sum(done / wall for done, wall in results) * 3600
    emit("flip_chain_2_processes", round(per_hour), "listings/hour", SEED_PER_HOUR, goal=GOAL_PER_HOUR)

    sites = Sites()
    with (
        LoopbackServer(sites.market) as market,
        LoopbackServer(sites.ebay) as ebay,
        tempfile.TemporaryDirectory() as tmp,
    ):
        runs = [
            asyncio.run(fetch_to_alert(sites, market.url, ebay.url, Path(tmp) / f"run{i}"))
            for i in range(RUNS)
        ]
    emit(
        "flip_fetch_to_alert",
        round(statistics.median(runs), 3),
        "seconds",
        SEED_ALERT_SECONDS,
        lower_is_better=True,
        runs=[round(r, 3) for r in runs],
    )


if __name__ == "__main__":
    main()
