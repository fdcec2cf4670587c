"""The read-only dashboard: server-rendered Jinja2 pages over the feature functions, charts by Plotly.js.

Plotly.js is served from the installed `plotly` package (`/static/plotly.min.js`), never a CDN; without
the package (the `web` extra) every page still renders, with tables only and a note saying so.
Jinja2 autoescapes everything, so scraped text (banners, titles, evidence) is shown as text.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from jinja2 import Environment, PackageLoader

from dealwatch.core.clock import today
from dealwatch.core.errors import NotFound
from dealwatch.flip.analytics import flip_analytics, profit_by_month
from dealwatch.flip.crossposts import other_posts
from dealwatch.flip.inventory import list_items
from dealwatch.flip.models import Listing, Opportunity
from dealwatch.flip.opportunities import count_by_status, find_opportunities
from dealwatch.llm.budget import spend_report
from dealwatch.promo.forecast import scored_predictions
from dealwatch.promo.history import store_history
from dealwatch.promo.review import count_pending, list_reviews
from dealwatch.promo.stores import StoreSummary, get_store, store_summaries
from dealwatch.web import charts
from dealwatch.web.deps import ClockDep, SessionDep

router = APIRouter(include_in_schema=False)

OPPORTUNITY_STATUSES = (
    "open",
    "review",
    "skipped",
    "confirmed",
    "rejected",
    "listed",
    "sold",
    "written_off",
    "all",
)
ROUTES = ("buy", "review", "skip")
MARKETPLACES = ("craigslist", "facebook", "offerup", "ebay")
HISTORY_DAYS = 365


def plotly_js() -> Path | None:
    """plotly.min.js inside the installed `plotly` package, or None without it."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("dealwatch.web", "templates"), autoescape=True)
    env.filters["pct"] = lambda value: "—" if value is None else f"{value * 100:.0f}%"
    env.filters["num"] = lambda value, digits=2: "—" if value is None else f"{value:.{digits}f}"
    env.filters["money"] = _money
    return env


def _money(amount: Decimal | str | None, currency: str = "") -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f} {currency}".strip()


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    page = (
        _environment()
        .get_template(template)
        .render(charts_enabled=plotly_js() is not None, path=request.url.path, **context)
    )
    return HTMLResponse(page, status_code=status_code)


def _not_found(request: Request, message: str) -> HTMLResponse:
    return _render(request, "not_found.html", status_code=404, title="Not found", message=message)


def _next_sale(summary: StoreSummary) -> date | None:
    return summary.prediction.predicted_date if summary.prediction else None


def store_status(summary: StoreSummary, on: date) -> tuple[str, str | None]:
    """('sale' | 'no sale' | 'unknown', why unknown) for the store on day `on`."""
    day = summary.latest_day
    if day is None or day.day != on:
        return "unknown", "not checked today"
    if day.has_promotion is None:
        return "unknown", day.fetch_outcome
    return ("sale" if day.has_promotion else "no sale"), None


@router.get("/static/plotly.min.js")
def plotly_script() -> Response:
    """Plotly.js from the installed package (cached by browsers for a day)."""
    path = plotly_js()
    if path is None:
        return PlainTextResponse("plotly is not installed: pip install 'dealwatch[web]'", status_code=404)
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """What is on sale today, the next predicted sales, what waits for a person, this month's profit,
    and what the LLM cost against its daily budget."""
    now, day = clock.now(), today(clock)
    summaries = store_summaries(session)
    on_sale = [s for s in summaries if store_status(s, day)[0] == "sale"]
    dated = [(when, s) for s in summaries if (when := _next_sale(s)) is not None and when >= day]
    upcoming = [s for _, s in sorted(dated, key=lambda pair: (pair[0], pair[1].store.id))][:10]
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    llm = spend_report(session, now, request.app.state.settings.llm.daily_budget_usd, days=30)
    return _render(
        request,
        "overview.html",
        title="Overview",
        today=day,
        stores=len(summaries),
        on_sale=on_sale,
        upcoming=upcoming,
        past_forecasts=sum(1 for s in summaries if (when := _next_sale(s)) is not None and when < day),
        opportunity_counts=count_by_status(session),
        to_buy=find_opportunities(session, status="open", limit=5),
        to_review=find_opportunities(session, status="review", limit=5),
        pending_reviews=count_pending(session),
        month=month_start.strftime("%Y-%m"),
        month_profit=profit_by_month(session, month_start, next_month),
        llm=llm,
        llm_chart=charts.llm_spend(llm.days, llm.limit) if llm.days else None,
    )


@router.get("/stores", response_class=HTMLResponse)
def stores(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Every store: today's status, last sale, next predicted sale and the forecast's track record."""
    day = today(clock)
    rows = [(s, *store_status(s, day)) for s in store_summaries(session)]
    return _render(request, "stores.html", title="Stores", today=day, rows=rows)


@router.get("/stores/{store_id}", response_class=HTMLResponse)
def store(store_id: str, request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """One store: status, forecast, a year of history and the track record as charts, recent detections."""
    try:
        found = get_store(session, store_id)
    except NotFound as exc:
        return _not_found(request, str(exc))
    day = today(clock)
    summary = store_summaries(session, [found.id])[0]
    # The year shown ends today, or on the newest day checked when the store has not been checked since.
    end = min(day, summary.latest_day.day) if summary.latest_day is not None else day
    start = end - timedelta(days=HISTORY_DAYS - 1)
    days = store_history(session, found.id, since=start, until=end)
    scored = scored_predictions(session, found.id)
    status, why = store_status(summary, day)
    known = sum(1 for d in days if d.has_promotion is not None)
    return _render(
        request,
        "store.html",
        title=found.name,
        today=day,
        summary=summary,
        status=status,
        why=why,
        history_chart=charts.promo_history(days, start, end, summary.prediction),
        history_start=start,
        history_end=end,
        track_chart=charts.track_record(scored),
        scored=scored,
        sale_days=sum(1 for d in days if d.has_promotion),
        unknown_days=len(days) - known,
        unchecked_days=HISTORY_DAYS - len(days),
        detections=days[:30],
    )


def _score(value: str) -> tuple[float, str | None]:
    """The min-score filter as a number in 0..10, or 0 with a note on what was wrong."""
    try:
        number = float(value) if value.strip() else 0.0
    except ValueError:
        return 0.0, f"min score {value!r} is not a number; showing every score"
    if not 0 <= number <= 10:
        return 0.0, f"min score must be between 0 and 10, not {value}; showing every score"
    return number, None


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities(
    request: Request,
    session: SessionDep,
    min_score: str = "0",
    route: str = "",
    status: str = "open",
    marketplace: str = "",
) -> HTMLResponse:
    """Valued listings, best score first, filtered as GET /v1/opportunities; their score distribution."""
    score, problem = _score(min_score)
    if status not in OPPORTUNITY_STATUSES:
        problem, status = f"unknown status {status!r}; showing open ones", "open"
    if route and route not in ROUTES:
        problem, route = f"unknown route {route!r}; showing every route", ""
    rows = find_opportunities(
        session,
        min_score=score,
        marketplace=marketplace.strip() or None,
        status=status,
        route=route or None,
        limit=500,
    )
    return _render(
        request,
        "opportunities.html",
        title="Opportunities",
        rows=rows,
        problem=problem,
        filters={"min_score": min_score, "route": route, "status": status, "marketplace": marketplace},
        statuses=OPPORTUNITY_STATUSES,
        routes=ROUTES,
        marketplaces=MARKETPLACES,
        score_chart=charts.score_distribution([o.score for o, _ in rows]),
    )


@router.get("/opportunities/{opportunity_id}", response_class=HTMLResponse)
def opportunity(opportunity_id: int, request: Request, session: SessionDep) -> HTMLResponse:
    """One opportunity: the listing, its valuation and the comps used, the profit, the score and route."""
    row = session.get(Opportunity, opportunity_id)
    listing = session.get(Listing, row.listing_id) if row is not None else None
    if row is None or listing is None:
        return _not_found(request, f"no opportunity {opportunity_id}")
    details = dict(row.details)
    return _render(
        request,
        "opportunity.html",
        title=listing.title,
        o=row,
        listing=listing,
        comps=details.pop("comps", []),
        details=details,
        posts=other_posts(session, [listing.id]).get(listing.id, []),
    )


@router.get("/inventory", response_class=HTMLResponse)
def inventory(request: Request, session: SessionDep) -> HTMLResponse:
    """Stock by status, realised profit per month, the score-band funnel, calibration, valuation error."""
    report = flip_analytics(session)
    return _render(
        request,
        "inventory.html",
        title="Inventory & analytics",
        report=report,
        items=list_items(session, limit=100),
        profit_chart=charts.profit_by_month(report.profit_by_month),
        funnel_chart=charts.band_funnel(report.opportunities_by_band),
        calibration_chart=charts.calibration(report.calibration),
    )


@router.get("/reviews", response_class=HTMLResponse)
def reviews(request: Request, session: SessionDep) -> HTMLResponse:
    """Pending reviews (read-only) and how to decide them."""
    return _render(
        request,
        "reviews.html",
        title="Reviews",
        reviews=list_reviews(session, "pending", limit=500),
        pending=count_pending(session),
    )
