"""The HTML dashboard in-process on both databases: seeded through the feature functions, read by page."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.core.money import Money
from dealwatch.flip.comps import SoldItems
from dealwatch.flip.fees import load_fee_tables
from dealwatch.flip.inventory import (
    Purchase,
    ResaleListing,
    Sale,
    WriteOff,
    record_listing,
    record_purchase,
    record_sale,
    record_write_off,
)
from dealwatch.flip.listing import ListingDraft, SearchPage
from dealwatch.flip.listings import record_page
from dealwatch.flip.models import Listing, Search
from dealwatch.flip.opportunities import FlipRules, assess, draft_of, save_assessment
from dealwatch.flip.searches import parse_search, save_searches
from dealwatch.llm.budget import DatabaseLedger
from dealwatch.promo.detect.base import Detection
from dealwatch.promo.forecast import IntervalForecaster, save_prediction, score_predictions
from dealwatch.promo.history import daily_flags, record_day
from dealwatch.promo.review import queue_review
from dealwatch.promo.stores import add_store, parse_spec
from dealwatch.settings import Settings
from dealwatch.web import dashboard
from dealwatch.web.app import create_app

TODAY = date(2025, 11, 15)
NOW = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BANNER = f"Autumn Sale {EVIL} 30% off"
SALE_STARTS = (date(2025, 9, 20), date(2025, 10, 18), date(2025, 11, 15))
BLOCKED = (date(2025, 10, 1), date(2025, 10, 19))  # a quiet day and a day inside a sale
RULES = FlipRules(buy_at=7.0, review_at=4.0)
PAGES = ("/", "/stores", "/stores/john_lewis", "/opportunities?status=all", "/inventory", "/reviews")


def _on_sale(day: date) -> bool:
    return any(start <= day < start + timedelta(days=3) for start in SALE_STARTS)


def _seed_stores(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    """John Lewis on sale today (three sales, two days blocked); Quiet Shop never; Blocked Shop blocked."""
    with sessions.begin() as session:
        for name, url in (
            ("John Lewis", "https://www.johnlewis.com/"),
            ("Quiet Shop", "https://quiet.example/"),
            ("Blocked Shop", "https://blocked.example/"),
        ):
            add_store(session, parse_spec({"url": url, "name": name}), clock)
        day = date(2025, 9, 1)
        while day <= TODAY:
            sale = Detection(True, 0.94, "rules", "seasonal_sale", BANNER, 30, evidence=(f"banner: {EVIL}",))
            quiet = Detection(False, 0.9, "rules", evidence=("no sale phrase",))
            blocked = day in BLOCKED
            record_day(
                session,
                store_id="john_lewis",
                day=day,
                fetch_outcome="blocked" if blocked else "ok",
                clock=clock,
                detection=None if blocked else (sale if _on_sale(day) else quiet),
            )
            record_day(
                session, store_id="quiet_shop", day=day, fetch_outcome="ok", clock=clock, detection=quiet
            )
            flags = daily_flags(session, "john_lewis", day)
            score_predictions(session, "john_lewis", flags)
            save_prediction(session, "john_lewis", IntervalForecaster().forecast(flags, day), day, clock)
            day += timedelta(days=1)
        record_day(session, store_id="blocked_shop", day=TODAY, fetch_outcome="blocked", clock=clock)
        queue_review(
            session,
            store_id="quiet_shop",
            day=TODAY,
            url="https://quiet.example/",
            detection=Detection(True, 0.55, "ml", "other", f"maybe {EVIL}", evidence=(f"phrase {EVIL}",)),
            snapshot_id=None,
            clock=clock,
        )


SOLD = (
    ("Sony WH-1000XM4 wireless noise cancelling headphones black", "210"),
    ("Sony WH-1000XM4 noise cancelling headphones", "199"),
    ("Sony WH1000XM4 headphones black", "205"),
    ("Sony WH-1000XM4 over-ear headphones", "215"),
    ("Sony WH-1000XM4 wireless headphones silver", "195"),
)


def _seed_opportunities(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Two craigslist listings stored by a search page, valued from 12 sold comps, costed, scored and saved:
    '111' (score 7.3) routed to buy, '222' (6.6) to review."""
    drafts = [
        ListingDraft(
            marketplace="craigslist",
            external_id=external_id,
            title=title,
            url=f"https://sfbay.craigslist.org/ele/d/{external_id}.html",
            price=Money(Decimal(price), "USD"),
            condition="used",
            location="Oakland",
            image_urls=(f"https://images.craigslist.org/{external_id}.jpg",),
        )
        for external_id, title, price in (
            ("111", f"Sony WH-1000XM4 noise cancelling headphones {EVIL}", "80"),
            ("222", "Sony WH-1000XM4 noise cancelling headphones", "100"),
        )
    ]
    sold = SoldItems(
        "sony wh-1000xm4",
        "ok",
        tuple(
            ListingDraft(
                marketplace="ebay",
                external_id=f"sold{i}",
                title=SOLD[i % len(SOLD)][0],
                url=f"https://www.ebay.com/itm/{i}",
                price=Money(Decimal(SOLD[i % len(SOLD)][1]) + i, "USD"),
                condition="Pre-owned",
                sold=True,
                sold_at=NOW - timedelta(days=3 + i),
            )
            for i in range(12)
        ),
        fetched_at=NOW,
    )
    spec = parse_search({"marketplace": "craigslist", "query": "sony headphones"})
    ids: dict[str, int] = {}
    with sessions.begin() as session:
        save_searches(session, [spec], FrozenClock(NOW))
        search = session.get(Search, spec.search_id)
        assert search is not None
        done = record_page(
            session, search, SearchPage("craigslist", "https://example.test/", tuple(drafts)), NOW
        )
        for listing_id in done.new_ids:
            row = session.get(Listing, listing_id)
            assert row is not None
            assessment = assess(draft_of(row), sold, load_fee_tables(), RULES, NOW)
            ids[row.external_id] = save_assessment(session, listing_id, assessment, NOW).id
    return ids


def _sell(sessions: sessionmaker[Session], opportunity_id: int) -> None:
    """Buy the opportunity, list it on eBay and sell it, through the inventory functions."""
    tables = load_fee_tables()
    with sessions.begin() as session:
        item = record_purchase(
            session, Purchase(opportunity_id=opportunity_id, at=NOW - timedelta(days=10)), NOW, tables
        )
        listed = ResaleListing("ebay", Money(Decimal("210"), "USD"), at=NOW - timedelta(days=9))
        record_listing(session, item.id, listed, NOW, tables)
        record_sale(
            session, item.id, Sale(Money(Decimal("200"), "USD"), at=NOW - timedelta(days=2)), NOW, tables
        )


@pytest.fixture
async def client(settings: Settings, sessions: sessionmaker[Session]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, FrozenClock(NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
def seeded(sessions: sessionmaker[Session], clock: FrozenClock) -> dict[str, int]:
    _seed_stores(sessions, clock)
    return _seed_opportunities(sessions)


def _chart(page: str, chart_id: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" data-chart="{chart_id}">(.*?)</script>', page, re.S)
    assert found, f"no chart {chart_id}"
    figure: dict[str, Any] = json.loads(found.group(1))
    return figure


def _trace(figure: dict[str, Any], name: str) -> dict[str, Any]:
    return next(trace for trace in figure["data"] if trace.get("name") == name)


async def test_stores_page_shows_each_store_with_its_status_today(
    client: httpx.AsyncClient, seeded: dict[str, int]
) -> None:
    page = await client.get("/stores")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    statuses = dict(re.findall(r'data-store="([^"]+)" data-status="([^"]+)"', page.text))
    assert statuses == {"blocked_shop": "unknown", "john_lewis": "sale", "quiet_shop": "no sale"}
    assert "(blocked)" in page.text
    assert "2025-12-13" in page.text  # John Lewis's next sale: 15 Nov + the 28-day average gap
    assert "Autumn Sale" in page.text


async def test_overview_lists_todays_sales_what_waits_and_the_forecasts(
    client: httpx.AsyncClient, seeded: dict[str, int]
) -> None:
    page = (await client.get("/")).text
    on_sale = page.split("<h2>On sale today</h2>")[1].split("<h2>")[0]
    assert "John Lewis" in on_sale and "Quiet Shop" not in on_sale and "Blocked Shop" not in on_sale
    upcoming = page.split("<h2>Next predicted sales</h2>")[1].split("<h2>")[0]
    assert "John Lewis" in upcoming and "2025-12-13" in upcoming
    assert "/opportunities/" in page.split("<h2>Opportunities waiting</h2>")[1]


async def test_store_page_charts_history_with_gaps_and_the_track_record(
    client: httpx.AsyncClient, seeded: dict[str, int]
) -> None:
    page = (await client.get("/stores/john_lewis")).text
    history = _chart(page, "chart-history")
    sale, quiet = _trace(history, "sale"), _trace(history, "no sale")
    expected_sales = [
        d.isoformat()
        for d in (date(2025, 9, 1) + timedelta(days=i) for i in range(76))
        if _on_sale(d) and d not in BLOCKED
    ]
    assert sale["x"] == expected_sales and set(sale["y"]) == {1}
    for blocked in BLOCKED:  # missing data: in neither series, never a zero
        assert blocked.isoformat() not in sale["x"] and blocked.isoformat() not in quiet["x"]
    assert len(sale["x"]) + len(quiet["x"]) == 76 - len(BLOCKED)
    interval = next(s for s in history["layout"]["shapes"] if s["type"] == "rect")
    assert (interval["x0"], interval["x1"]) == ("2025-12-06", "2025-12-21")  # 6 Dec .. 20 Dec inclusive
    track = _chart(page, "chart-track")
    predicted, actual = _trace(track, "predicted start"), _trace(track, "actual start")
    assert len(predicted["x"]) == 28 and predicted["y"] == actual["y"] == ["2025-11-15"] * 28
    assert "MAE 0.0 days, 100% within 7 days, over 28 scored predictions" in page
    assert "2 blocked or failed" in page
    detections = page.split("<h2>Recent detections</h2>")[1]
    assert "rules" in detections and "94%" in detections and f"banner: {ESCAPED}" in detections


async def test_plotly_is_served_from_the_package_and_no_page_loads_anything_external(
    client: httpx.AsyncClient, seeded: dict[str, int]
) -> None:
    script = await client.get("/static/plotly.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"plotly" in script.content[:2000].lower()
    for path in (*PAGES, f"/opportunities/{seeded['222']}"):
        page = (await client.get(path)).text
        sources = re.findall(r"""src\s*=\s*["']?([^"'\s>]+)""", page)
        assert sources == ["/static/plotly.min.js"], (path, sources)
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//[^"']*\.(js|css)""", page), path
        assert "@import" not in page and "fonts.googleapis" not in page


async def test_scraped_text_is_escaped_everywhere_including_the_chart_json(
    client: httpx.AsyncClient, seeded: dict[str, int]
) -> None:
    for path in (*PAGES, f"/opportunities/{seeded['111']}"):
        page = (await client.get(path)).text
        assert EVIL not in page, path
        assert "alert(1)</script>" not in page, path
        # Every script element closes where it should: scraped text opened or closed none.
        assert page.count("<script") == page.count("</script>"), path
    overview = (await client.get("/")).text
    assert f"Autumn Sale {ESCAPED} 30% off" in overview
    assert ESCAPED in (await client.get(f"/opportunities/{seeded['111']}")).text
    assert ESCAPED in (await client.get("/opportunities?status=all")).text
    assert f"phrase {ESCAPED}" in (await client.get("/reviews")).text
    store = (await client.get("/stores/john_lewis")).text
    raw_json = re.search(r'data-chart="chart-history">(.*?)</script>', store, re.S)
    assert raw_json and "<" not in raw_json.group(1) and "\\u0026lt;/script\\u0026gt;" in raw_json.group(1)
    hover = _trace(_chart(store, "chart-history"), "sale")["hovertext"][0]
    assert hover == "Autumn Sale &lt;script&gt;alert(1)&lt;/script&gt; 30% off"  # Plotly shows it as text


async def test_opportunity_pages_filter_like_the_api_and_show_the_valuation(
    client: httpx.AsyncClient, seeded: dict[str, int]
) -> None:
    api = (await client.get("/v1/opportunities", params={"status": "all"})).json()["opportunities"]
    assert {o["id"] for o in api} == set(seeded.values())
    by_id = {o["id"]: o for o in api}
    cheap = by_id[seeded["111"]]
    assert cheap["n_comps"] >= 3 and cheap["net_profit"] is not None
    page = (await client.get("/opportunities", params={"status": "all"})).text
    assert sum(_chart(page, "chart-scores")["data"][0]["y"]) == 2
    for params in (
        {"status": "all", "min_score": str(cheap["score"])},
        {"status": cheap["status"]},
        {"status": "all", "route": cheap["route"]},
        {"status": "all", "marketplace": "ebay"},
    ):
        shown = {
            int(i)
            for i in re.findall(
                r'href="/opportunities/(\d+)"', (await client.get("/opportunities", params=params)).text
            )
        }
        wanted = {
            o["id"] for o in (await client.get("/v1/opportunities", params=params)).json()["opportunities"]
        }
        assert shown == wanted, params
    bad = await client.get("/opportunities", params={"min_score": "lots"})
    assert bad.status_code == 200 and "is not a number" in bad.text

    detail = (await client.get(f"/opportunities/{seeded['111']}")).text
    assert "Sony WH-1000XM4 wireless noise cancelling headphones black" in detail  # a comp used
    assert "net profit" in detail and f"{Decimal(cheap['net_profit']):,.2f} USD" in detail
    assert "ebay fee table" in detail or "fees (ebay" in detail
    assert f"{cheap['score']:.1f} / 10" in detail and cheap["route"] in detail


async def test_inventory_page_charts_profit_per_month_and_the_funnel(
    client: httpx.AsyncClient, sessions: sessionmaker[Session], seeded: dict[str, int]
) -> None:
    _sell(sessions, seeded["111"])
    page = (await client.get("/inventory")).text
    analytics = (await client.get("/v1/analytics/flip")).json()
    [month] = analytics["profit_by_month"]
    profit = _trace(_chart(page, "chart-profit"), "realised profit (USD)")
    assert profit["x"] == ["2025-11"] and profit["y"] == [float(month["realised_profit"]["amount"])]
    funnel = _chart(page, "chart-funnel")
    assert _trace(funnel, "opportunities")["y"] == [
        b["opportunities"] for b in analytics["opportunities_by_band"]
    ]
    assert sum(_trace(funnel, "sold")["y"]) == 1
    assert "Score calibration" in page and "chart-calibration" in page
    assert "sold" in page.split("<h2>Stock by status</h2>")[1].split("<h2>")[0]


async def test_inventory_page_shows_a_written_off_item_and_counts_its_loss(
    client: httpx.AsyncClient, sessions: sessionmaker[Session], seeded: dict[str, int]
) -> None:
    _sell(sessions, seeded["111"])
    with sessions.begin() as session:
        item = record_purchase(
            session,
            Purchase(opportunity_id=seeded["222"], at=NOW - timedelta(days=5)),
            NOW,
            load_fee_tables(),
        )  # cost: the listing's 100
        record_write_off(session, item.id, WriteOff("arrived broken", Money(Decimal("30"), "USD")), NOW)
    page = (await client.get("/inventory")).text
    stock = page.split("<h2>Stock by status</h2>")[1].split("<h2>")[0]
    assert re.search(r"<td>written off</td><td class=\"num\">1</td><td class=\"num\">100.00 USD</td>", stock)
    items = page.split("<h2>Items (latest 100)</h2>")[1]
    row = r"<td>written off</td>(?:(?!</tr>).)*<td class=\"num\">-70.00 USD</td>"  # 30 recovered − 100
    assert re.search(row, items, re.S)
    analytics = (await client.get("/v1/analytics/flip")).json()
    [month] = analytics["profit_by_month"]
    assert (month["sold"], month["written_off"]) == (1, 1)
    [sold] = (await client.get("/v1/inventory?status=sold")).json()["items"]
    assert Decimal(month["realised_profit"]["amount"]) == Decimal(sold["realised_profit"]) - 70
    profit = _trace(_chart(page, "chart-profit"), "realised profit (USD)")
    assert profit["y"] == [float(month["realised_profit"]["amount"])]
    funnel = _chart(page, "chart-funnel")
    assert sum(_trace(funnel, "written off")["y"]) == 1 and sum(_trace(funnel, "sold")["y"]) == 1
    listed = (await client.get("/opportunities?status=written_off")).text
    assert f"/opportunities/{seeded['222']}" in listed and f"/opportunities/{seeded['111']}" not in listed
    assert "unknown status" not in listed


async def test_unknown_store_or_opportunity_is_an_html_404(client: httpx.AsyncClient) -> None:
    for path, message in (
        ("/stores/nope", "no store with id &#39;nope&#39;"),
        ("/opportunities/999", "no opportunity 999"),
    ):
        missing = await client.get(path)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
        assert message in missing.text and "Back to the overview" in missing.text
    assert (await client.get("/v1/stores/nope")).json()["error"] == "not_found"  # the API stays JSON


async def test_an_empty_database_renders_every_page(client: httpx.AsyncClient) -> None:
    for path in (
        "/",
        "/stores",
        "/opportunities",
        "/opportunities?status=all&route=buy",
        "/inventory",
        "/reviews",
    ):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html") and "</html>" in page.text
    assert "No stores yet" in (await client.get("/stores")).text
    assert "Nothing waits for a person" in (await client.get("/reviews")).text


async def test_without_plotly_the_pages_are_tables_with_a_note(
    client: httpx.AsyncClient, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboard, "plotly_js", lambda: None)
    page = (await client.get("/stores/john_lewis")).text
    assert "Charts need the <code>plotly</code> package" in page
    assert "plotly.min.js" not in page and "data-chart" not in page
    assert "Recent detections" in page
    assert (await client.get("/static/plotly.min.js")).status_code == 404


async def test_store_tables_take_the_same_queries_whatever_the_number_of_stores(
    client: httpx.AsyncClient, sessions: sessionmaker[Session], clock: FrozenClock, seeded: dict[str, int]
) -> None:
    engine = client._transport.app.state.sessions.kw["bind"]  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async def queries(path: str) -> int:
        statements.clear()
        assert (await client.get(path)).status_code == 200
        return len(statements)

    event.listen(engine, "before_cursor_execute", count)
    try:
        before = {path: await queries(path) for path in ("/stores", "/v1/stores", "/")}
        with sessions.begin() as session:
            for i in range(6):
                add_store(session, parse_spec({"url": f"https://s{i}.example/", "name": f"Shop {i}"}), clock)
                record_day(session, store_id=f"shop_{i}", day=TODAY, fetch_outcome="ok", clock=clock)
        after = {path: await queries(path) for path in ("/stores", "/v1/stores", "/")}
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert after == before
    assert before["/stores"] <= 6


def test_chart_json_cannot_close_its_script_element() -> None:
    """Even raw text (not HTML-escaped first) inside a figure stays inside the JSON script element."""
    template = dashboard._environment().from_string(
        '{% import "_macros.html" as m with context %}{{ m.chart("c", figure) }}'
    )
    html = template.render(charts_enabled=True, figure={"data": [{"text": [EVIL]}], "layout": {}})
    assert EVIL not in html and "\\u003c/script\\u003e" in html
    assert html.count("</script>") == 1
    payload = re.search(r'data-chart="c">(.*?)</script>', html, re.S)
    assert payload and json.loads(payload.group(1))["data"][0]["text"] == [EVIL]


async def test_a_store_not_checked_lately_shows_its_last_year_and_says_its_forecast_is_past(
    settings: Settings, seeded: dict[str, int]
) -> None:
    """Months after the last daily pass: the history ends on the newest day checked, not on an empty year."""
    later = FrozenClock(NOW + timedelta(days=400))  # a year shown from today would hold no checked day
    app = create_app(settings, later)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        store = (await client.get("/stores/john_lewis")).text
        overview = (await client.get("/")).text
    sales = _trace(_chart(store, "chart-history"), "sale")
    assert max(sales["x"]) == TODAY.isoformat()  # the latest sale day is in the window shown
    assert f"to {TODAY.isoformat()}</h2>" in store
    assert "No upcoming forecast" in overview and "No forecast yet" not in overview


async def test_llm_spend_shows_against_its_budget_on_the_overview_and_the_api(
    client: httpx.AsyncClient, sessions: sessionmaker[Session]
) -> None:
    ledger = DatabaseLedger(sessions)
    for hours_ago, cost in ((50, "0.40"), (30, "0.25"), (20, "1.10"), (2, "0.95")):
        ledger.add(NOW - timedelta(hours=hours_ago), Decimal(cost), "claude-haiku-4-5")
    api = (await client.get("/v1/llm/spend", params={"days": 7})).json()
    assert Decimal(api["spent_24h_usd"]) == Decimal("2.05") and Decimal(api["limit_usd"]) == 2
    assert api["paused"] is True  # 2.05 of 2.00 in the last 24 h: the breaker holds calls back
    assert [(d["date"], d["calls"], Decimal(d["usd"])) for d in api["days"]] == [
        ("2025-11-13", 1, Decimal("0.40")),
        ("2025-11-14", 2, Decimal("1.35")),
        ("2025-11-15", 1, Decimal("0.95")),
    ]
    assert len((await client.get("/v1/llm/spend", params={"days": 1})).json()["days"]) == 1
    assert (await client.get("/v1/llm/spend", params={"days": 0})).status_code == 422
    page = (await client.get("/")).text
    assert 'data-llm-spent="2.050000"' in page and "paused" in page
    bars = _trace(_chart(page, "chart-llm"), "LLM spend (USD)")
    assert bars["x"] == ["2025-11-13", "2025-11-14", "2025-11-15"] and bars["y"] == [0.4, 1.35, 0.95]
