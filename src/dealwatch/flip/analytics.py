"""Flip analytics: what the scans found, how finds converted into buys and sales, and what they earned.

`flip_analytics` answers in one typed value, every number aggregated by the database (GROUP BY, SUM,
COUNT; the median by ORDER BY … OFFSET), never by loading rows. The realised outcomes feed back here:

- valuation error: the estimated resale price kept at purchase against the realised sale price,
  (estimate − sale) / sale per item; `mdape` is the median absolute error, `bias` the mean signed one
  (> 0: estimates run high);
- score calibration: realised profit by the score band the item was bought at, beside the profit
  that was expected, so a score that promises more than it delivers shows.

A written-off item (broken, lost, returned, ...) is a loss that counts: its realised profit (recovered −
cost − extra costs) goes into the month it was written off and into its band's calibration, counted as
`written_off` beside `sold` (never as a sale). It has no sale price, so it adds nothing to revenue,
days to sell or the valuation error.

Score bands are 2 points wide (0-2 … 8-10; items bought without a score are "unscored"). Money is
summed per currency. A window (`since`, `until`) counts listings by first seen, opportunities by
creation, and sales and write-offs by when they closed the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dealwatch.core.money import Money
from dealwatch.flip.inventory import CLOSED
from dealwatch.flip.models import InventoryItem, Listing, Opportunity

# (label, lowest score in the band), best first: the first band whose floor the score reaches.
SCORE_BANDS = (("8-10", 8), ("6-8", 6), ("4-6", 4), ("2-4", 2), ("0-2", 0))
UNSCORED = "unscored"


@dataclass(frozen=True, slots=True)
class BandFunnel:
    """Opportunities in one score band, and how many of them were bought, sold and written off."""

    band: str
    opportunities: int
    bought: int
    sold: int
    written_off: int


@dataclass(frozen=True, slots=True)
class Conversion:
    """Opportunities ► bought ► sold (or written off), over every band."""

    opportunities: int
    bought: int
    sold: int
    written_off: int

    @property
    def bought_rate(self) -> float | None:
        """Share of opportunities bought."""
        return self.bought / self.opportunities if self.opportunities else None

    @property
    def sold_rate(self) -> float | None:
        """Share of bought items sold."""
        return self.sold / self.bought if self.bought else None

    @property
    def written_off_rate(self) -> float | None:
        """Share of bought items written off."""
        return self.written_off / self.bought if self.bought else None


@dataclass(frozen=True, slots=True)
class StockLine:
    """Inventory items in one status and currency, and what they cost (price + extra costs)."""

    status: str
    items: int
    cost: Money


@dataclass(frozen=True, slots=True)
class MonthProfit:
    """Items closed in one month (UTC), sold or written off, in one currency."""

    month: str
    """YYYY-MM"""
    sold: int
    written_off: int
    revenue: Money
    """sale prices (shipping charged not included)"""
    realised_profit: Money
    """of the sales and the write-offs (their losses) together"""
    mean_days_to_sell: float | None
    """of the sales"""


@dataclass(frozen=True, slots=True)
class BandCalibration:
    """Closed items (sold or written off) bought in one score band: the profit their score promised, and
    what they made."""

    band: str
    sold: int
    written_off: int
    profitable: int
    """closed at a realised profit above zero"""
    expected_profit: Money | None
    """summed over the items that had one; None when none had (bought without an opportunity)"""
    realised_profit: Money
    """sales and write-offs (their losses) together"""

    @property
    def closed(self) -> int:
        """Items sold or written off."""
        return self.sold + self.written_off

    @property
    def mean_realised_profit(self) -> Money:
        """Realised profit per closed item."""
        return Money(self.realised_profit.amount / self.closed, self.realised_profit.currency).rounded()


@dataclass(frozen=True, slots=True)
class ValuationError:
    """How far the estimated resale prices were from the realised sale prices."""

    count: int
    mdape: float | None
    """median of |estimate − sale| / sale"""
    bias: float | None
    """mean of (estimate − sale) / sale: above zero, estimates run high"""


@dataclass(frozen=True, slots=True)
class FlipAnalytics:
    """The flip job's numbers over a window (None: unbounded)."""

    since: datetime | None
    until: datetime | None
    listings_scanned: int
    listings_by_marketplace: dict[str, int]
    opportunities_by_route: dict[str, int]
    opportunities_by_band: list[BandFunnel]
    conversion: Conversion
    stock: list[StockLine]
    profit_by_month: list[MonthProfit]
    calibration: list[BandCalibration]
    valuation_error: ValuationError


def score_band(score: InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """The score's band label as SQL; constants are inlined so GROUP BY repeats the same text."""
    whens: list[tuple[ColumnElement[bool], ColumnElement[str]]] = [
        (score.is_(None), literal_column(f"'{UNSCORED}'"))
    ]
    whens += [
        (score >= literal_column(str(floor)), literal_column(f"'{label}'")) for label, floor in SCORE_BANDS
    ]
    return case(*whens, else_=literal_column("'0-2'"))


def flip_analytics(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> FlipAnalytics:
    """Listings scanned, opportunities by band and route, conversion, stock, profit per month,
    score calibration and valuation error, aggregated in the database."""
    funnel = _funnel(session, since, until)
    listings = _listings(session, since, until)
    return FlipAnalytics(
        since=since,
        until=until,
        listings_scanned=sum(listings.values()),
        listings_by_marketplace=listings,
        opportunities_by_route=_routes(session, since, until),
        opportunities_by_band=funnel,
        conversion=Conversion(
            opportunities=sum(b.opportunities for b in funnel),
            bought=sum(b.bought for b in funnel),
            sold=sum(b.sold for b in funnel),
            written_off=sum(b.written_off for b in funnel),
        ),
        stock=_stock(session),
        profit_by_month=_profit_by_month(session, since, until),
        calibration=_calibration(session, since, until),
        valuation_error=_valuation_error(session, since, until),
    )


def profit_by_month(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[MonthProfit]:
    """Items closed per month and currency in the window: sales, write-offs, revenue, realised profit
    (write-off losses included) and days to sell."""
    return _profit_by_month(session, since, until)


def _within(
    column: InstrumentedAttribute[datetime | None]
    | InstrumentedAttribute[datetime]
    | ColumnElement[datetime],
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    """The window as WHERE conditions on `column` (since inclusive, until exclusive)."""
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


def _listings(session: Session, since: datetime | None, until: datetime | None) -> dict[str, int]:
    query = (
        select(Listing.marketplace, func.count(Listing.id))
        .where(*_within(Listing.first_seen_at, since, until))
        .group_by(Listing.marketplace)
    )
    return {marketplace: int(n) for marketplace, n in sorted(session.execute(query))}


def _routes(session: Session, since: datetime | None, until: datetime | None) -> dict[str, int]:
    query = (
        select(Opportunity.route, func.count(Opportunity.id))
        .where(*_within(Opportunity.created_at, since, until))
        .group_by(Opportunity.route)
    )
    return {route: int(n) for route, n in sorted(session.execute(query))}


def _funnel(session: Session, since: datetime | None, until: datetime | None) -> list[BandFunnel]:
    band = score_band(Opportunity.score)
    query = (
        select(
            band,
            func.count(Opportunity.id),
            func.count(InventoryItem.id),
            func.count(InventoryItem.sold_at),
            func.count(InventoryItem.written_off_at),
        )
        .outerjoin(InventoryItem, InventoryItem.opportunity_id == Opportunity.id)
        .where(*_within(Opportunity.created_at, since, until))
        .group_by(band)
    )
    found = {
        label: BandFunnel(label, int(n), int(b), int(s), int(w))
        for label, n, b, s, w in session.execute(query)
    }
    return [found.get(label, BandFunnel(label, 0, 0, 0, 0)) for label, _ in SCORE_BANDS]


def _stock(session: Session) -> list[StockLine]:
    query = (
        select(
            InventoryItem.status,
            InventoryItem.currency,
            func.count(InventoryItem.id),
            func.sum(InventoryItem.cost + InventoryItem.extra_costs),
        )
        .group_by(InventoryItem.status, InventoryItem.currency)
        .order_by(InventoryItem.status, InventoryItem.currency)
    )
    return [
        StockLine(status, int(n), _money(total, currency))
        for status, currency, n, total in session.execute(query)
    ]


def _closed_at() -> ColumnElement[datetime]:
    """When the item was closed: its sale, else its write-off (None while it is in stock)."""
    return func.coalesce(InventoryItem.sold_at, InventoryItem.written_off_at)


def _closed(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    """Sold or written-off items, closed in the window."""
    return [InventoryItem.status.in_(CLOSED), *_within(_closed_at(), since, until)]


def _month(session: Session) -> ColumnElement[str]:
    """The UTC month the item was closed as 'YYYY-MM', in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", _closed_at()), literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), _closed_at())  # SQLite keeps UTC text


def _profit_by_month(session: Session, since: datetime | None, until: datetime | None) -> list[MonthProfit]:
    month = _month(session)
    query = (
        select(
            month,
            InventoryItem.currency,
            func.count(InventoryItem.sold_at),
            func.count(InventoryItem.written_off_at),
            func.sum(InventoryItem.sale_price),
            func.sum(InventoryItem.realised_profit),
            func.avg(InventoryItem.days_to_sell),
        )
        .where(*_closed(since, until))
        .group_by(month, InventoryItem.currency)
        .order_by(month, InventoryItem.currency)
    )
    return [
        MonthProfit(
            str(label),
            int(sold),
            int(written_off),
            _money(revenue, currency),
            _money(profit, currency),
            round(float(days), 1) if days is not None else None,
        )
        for label, currency, sold, written_off, revenue, profit, days in session.execute(query)
    ]


def _calibration(session: Session, since: datetime | None, until: datetime | None) -> list[BandCalibration]:
    band = score_band(InventoryItem.score)
    profitable = func.sum(case((InventoryItem.realised_profit > 0, 1), else_=0))
    query = (
        select(
            band,
            InventoryItem.currency,
            func.count(InventoryItem.sold_at),
            func.count(InventoryItem.written_off_at),
            profitable,
            func.sum(InventoryItem.estimated_profit),
            func.sum(InventoryItem.realised_profit),
        )
        .where(*_closed(since, until))
        .group_by(band, InventoryItem.currency)
    )
    order = {label: i for i, (label, _) in enumerate(SCORE_BANDS)} | {UNSCORED: len(SCORE_BANDS)}
    rows = sorted(session.execute(query), key=lambda r: (order[r[0]], r[1]))
    return [
        BandCalibration(
            band=label,
            sold=int(sold),
            written_off=int(written_off),
            profitable=int(won or 0),
            expected_profit=None if expected is None else _money(expected, currency),
            realised_profit=_money(realised, currency),
        )
        for label, currency, sold, written_off, won, expected, realised in rows
    ]


def _valuation_error(session: Session, since: datetime | None, until: datetime | None) -> ValuationError:
    error = InventoryItem.valuation_error
    measured = [
        InventoryItem.status == "sold",
        error.is_not(None),
        *_within(InventoryItem.sold_at, since, until),
    ]
    count, bias = session.execute(select(func.count(error), func.avg(error)).where(*measured)).one()
    if not count:
        return ValuationError(0, None, None)
    # The median in SQL on both databases: sort |error|, skip to the middle, read one or two values.
    middle = (
        select(func.abs(error))
        .where(*measured)
        .order_by(func.abs(error))
        .offset((count - 1) // 2)
        .limit(2 - count % 2)
    )
    values = [float(v) for v in session.scalars(middle)]
    return ValuationError(int(count), round(sum(values) / len(values), 4), round(float(bias), 4))


def _money(amount: Any, currency: str) -> Money:
    """A summed amount as Money in cents (SQLite sums NUMERIC as floats)."""
    return Money(Decimal(str(amount if amount is not None else 0)), currency).rounded()
