"""The demo's flip job: saved searches on the sandbox marketplaces, scanned and analyzed by the real
pipeline (`run_scan(..., analyze=True)`: adapters, sold comps from the sandbox eBay, valuation, profit,
score and route), then scored against the market's hidden truth.

A listing is *truly profitable* when buying it at its asking price (plus the pickup trip, or the inbound
shipping of an eBay buy) and reselling it at its hidden true value on the resale platform, after that
platform's fees and the real shipping cost, nets at least the target profit (`flip.target_profit`). A scam
is never profitable: the item does not exist. Profitable items are counted once per physical item, so a
cross-posted find counts once (found when any of its listings was routed to buy or review).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from urllib.parse import urlsplit, urlunsplit

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from dealwatch.core.clock import FrozenClock
from dealwatch.core.money import Money
from dealwatch.flip.fees import FeeTables
from dealwatch.flip.marketplaces.base import marketplaces
from dealwatch.flip.models import CrossPost, Listing, Opportunity
from dealwatch.flip.opportunities import FlipRules
from dealwatch.flip.profit import KM_PER_MILE, ShippingEstimate, estimate_profit, travel_cost
from dealwatch.flip.searches import SearchSpec, save_searches
from dealwatch.pipeline import run_scan
from dealwatch.sandbox.market import CATEGORY_CODES, MARKETPLACES, MarketListing, SandboxMarket
from dealwatch.services import Services, build_services
from dealwatch.settings import Settings

# The place each marketplace's searches are for: the sandbox market is around Boston.
_PLACES = {"craigslist": "boston", "facebook": "boston"}


@dataclass
class FlipReport:
    """What the flip job found on the sandbox marketplaces, measured against the hidden truth."""

    searches: int
    listings_shown: int  # listings the sandbox marketplaces show
    listings_scanned: int  # listings the scan stored
    valued: int  # listings the comps gave an estimate for (scams left out)
    valuation_mdape: float | None  # median |estimate − true value| / true value over those
    profitable_items: int
    found_items: int  # profitable items with a listing routed to buy or review
    routed_buy: int
    buy_precision: float | None  # share of buy-routed listings that are truly profitable
    routed_review: int
    found_precision: float | None  # share of buy- or review-routed listings that are truly profitable
    scams: int
    scams_bought: int  # scam listings routed to buy
    crossposts: int  # pairs of listings of one item on two marketplaces
    crossposts_linked: int  # of those, pairs the pipeline linked into one cross-post group
    wrong_links: int  # pairs of listings the pipeline linked that are different items
    seconds: float  # the scan: fetch, parse, store, comps, value, score, route

    @property
    def recall(self) -> float | None:
        """Share of the truly profitable items found."""
        return self.found_items / self.profitable_items if self.profitable_items else None


def sandbox_search_url(spec: SearchSpec, base: str) -> str:
    """The adapter's own search URL for `spec`, pointed at the sandbox marketplace at `base`."""
    real = urlsplit(marketplaces.build(spec.marketplace).search_url(spec.as_query()))
    sandbox = urlsplit(base)
    return urlunsplit((sandbox.scheme, sandbox.netloc, real.path, real.query, ""))


def sandbox_searches(urls: Mapping[str, str]) -> list[SearchSpec]:
    """One saved search per marketplace and catalogue category, pointed at the sandbox sites."""
    specs = []
    for marketplace in MARKETPLACES:
        for category, codes in CATEGORY_CODES.items():
            spec = SearchSpec(
                id=f"sandbox-{marketplace}-{category}",
                marketplace=marketplace,
                category=codes[marketplace],
                location=_PLACES.get(marketplace),
            )
            specs.append(spec.model_copy(update={"url": sandbox_search_url(spec, urls[marketplace])}))
    return specs


def true_profit(item: MarketListing, rules: FlipRules, fees: FeeTables) -> Money | None:
    """What flipping the listing really nets, from its hidden true value; None for a scam or no price."""
    if item.price is None or item.kind == "scam":
        return None
    usd = "USD"
    if item.marketplace == "ebay":
        getting_it = Money(item.product.shipping, usd)  # a shipped buy: the label is paid on the way in
    else:
        getting_it = travel_cost(item.distance_mi * KM_PER_MILE, Money(rules.travel_rate, usd), per="mi")
    estimate = estimate_profit(
        Money(item.price, usd),
        Money(item.true_value, usd),
        platform=rules.sell_on,
        category=None,
        shipped=rules.shipped,
        on=item.posted_at.date(),
        shipping=ShippingEstimate(Money(item.product.shipping, usd), "true") if rules.shipped else None,
        travel=getting_it,
        tables=fees,
    )
    return estimate.net_profit


def is_profitable(item: MarketListing, rules: FlipRules, fees: FeeTables) -> bool:
    """Whether the listing truly nets the target profit (see the module docstring)."""
    net = true_profit(item, rules, fees)
    return net is not None and net.amount >= rules.target_profit


def run_flip_job(
    settings: Settings,
    market: SandboxMarket,
    urls: Mapping[str, str],
    console: Console | None = None,
) -> FlipReport:
    """Save the sandbox searches, scan and analyze them once on the market's day, and score the result.

    `settings` should let the fetcher reach loopback; `flip.comps_url` is pointed at the sandbox eBay here.
    """
    flip = settings.flip.model_copy(update={"comps_url": urls["ebay"]})
    settings = settings.model_copy(update={"flip": flip})
    clock = FrozenClock(datetime.combine(market.today, clock_time(12), tzinfo=UTC))
    services = build_services(settings, clock)
    specs = sandbox_searches(urls)
    with services.sessions.begin() as session:
        save_searches(session, specs, clock)
    started = time.perf_counter()
    if console is not None:
        with console.status(f"flip job: scanning {len(specs)} sandbox searches and valuing their listings"):
            asyncio.run(_scan(services, [s.search_id for s in specs]))
    else:
        asyncio.run(_scan(services, [s.search_id for s in specs]))
    seconds = time.perf_counter() - started
    with services.sessions() as session:
        query = (
            select(Listing, Opportunity)
            .outerjoin(Opportunity, Opportunity.listing_id == Listing.id)
            .where(Listing.search_id.in_([s.search_id for s in specs]))
        )
        rows: list[tuple[Listing, Opportunity | None]] = [(row[0], row[1]) for row in session.execute(query)]
        groups = {link.listing_id: link.group_id for link in session.scalars(select(CrossPost))}
    services.engine.dispose()
    return score_flip(market, rows, groups, services.flip, services.fees, len(specs), seconds)


async def _scan(services: Services, search_ids: list[str]) -> None:
    try:
        await run_scan(services, search_ids, analyze=True)
    finally:
        await services.aclose()


def score_flip(
    market: SandboxMarket,
    rows: Sequence[tuple[Listing, Opportunity | None]],
    groups: Mapping[int, int],
    rules: FlipRules,
    fees: FeeTables,
    searches: int,
    seconds: float,
) -> FlipReport:
    """Measure stored listings, their opportunities and cross-post groups (`groups`: listing id ► group
    id) against the market's truth."""
    errors: list[float] = []
    profitable_keys = {item.item_key for item in market.listings if is_profitable(item, rules, fees)}
    found_keys: set[str] = set()
    routed_buy = true_buys = routed_review = true_finds = scams_bought = 0
    for listing, opportunity in rows:
        item = market.listing(listing.marketplace, listing.external_id)
        if item is None or opportunity is None:
            continue
        if opportunity.estimate is not None and item.kind != "scam":
            errors.append(abs(float(opportunity.estimate) - float(item.true_value)) / float(item.true_value))
        route = opportunity.route
        if route in ("buy", "review") and is_profitable(item, rules, fees):
            found_keys.add(item.item_key)
            true_finds += 1
        if route == "buy":
            routed_buy += 1
            true_buys += is_profitable(item, rules, fees)
            scams_bought += item.kind == "scam"
        elif route == "review":
            routed_review += 1
    linked, wrong = _links(market, rows, groups)
    return FlipReport(
        searches=searches,
        listings_shown=len(market.listings),
        listings_scanned=len(rows),
        valued=len(errors),
        valuation_mdape=statistics.median(errors) if errors else None,
        profitable_items=len(profitable_keys),
        found_items=len(found_keys & profitable_keys),
        routed_buy=routed_buy,
        buy_precision=true_buys / routed_buy if routed_buy else None,
        routed_review=routed_review,
        found_precision=true_finds / (routed_buy + routed_review) if routed_buy + routed_review else None,
        scams=sum(item.kind == "scam" for item in market.listings),
        scams_bought=scams_bought,
        crossposts=len(market.crossposts()),
        crossposts_linked=linked,
        wrong_links=wrong,
        seconds=seconds,
    )


def _links(
    market: SandboxMarket, rows: Sequence[tuple[Listing, Opportunity | None]], groups: Mapping[int, int]
) -> tuple[int, int]:
    """(true cross-post pairs linked into one group, linked pairs that are different items)."""
    ids = {(listing.marketplace, listing.external_id): listing.id for listing, _ in rows}
    linked = 0
    for first, second in market.crossposts():
        a = ids.get((first.marketplace, first.external_id))
        b = ids.get((second.marketplace, second.external_id))
        if a is not None and b is not None and a in groups and groups[a] == groups.get(b):
            linked += 1
    members: dict[int, list[str]] = {}
    for listing, _ in rows:
        item = market.listing(listing.marketplace, listing.external_id)
        if listing.id in groups and item is not None:
            members.setdefault(groups[listing.id], []).append(item.item_key)
    wrong = sum(
        1
        for keys in members.values()
        for i, key in enumerate(keys)
        for other in keys[i + 1 :]
        if other != key
    )
    return linked, wrong


def _pct(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "n/a"


def flip_table(report: FlipReport) -> Table:
    """The flip job's numbers as a Rich table."""
    table = Table(title="dealwatch demo: flip job over the sandbox marketplaces", show_header=False)
    table.add_row(
        "listings scanned / shown",
        f"{report.listings_scanned} / {report.listings_shown} ({report.searches} searches, "
        f"{len(MARKETPLACES)} marketplaces)",
    )
    table.add_row(
        "valuation MdAPE vs hidden value", f"{_pct(report.valuation_mdape)} ({report.valued} valued)"
    )
    table.add_row(
        "profitable items found (buy/review)",
        f"{report.found_items} of {report.profitable_items} (recall {_pct(report.recall)})",
    )
    table.add_row("routed to buy / review", f"{report.routed_buy} / {report.routed_review}")
    table.add_row(
        "truly profitable: buys / buy+review",
        f"{_pct(report.buy_precision)} / {_pct(report.found_precision)}",
    )
    table.add_row("scams routed to buy", f"{report.scams_bought} of {report.scams}")
    table.add_row(
        "cross-posts linked (wrong links)",
        f"{report.crossposts_linked} of {report.crossposts} ({report.wrong_links})",
    )
    rate = report.listings_scanned / report.seconds if report.seconds else 0.0
    table.add_row("flip scan time", f"{report.seconds:.1f} s ({rate:.0f} listings/s)")
    return table
