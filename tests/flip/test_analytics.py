"""Flip analytics on both databases, from a scenario whose numbers are worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.money import Money
from dealwatch.flip.analytics import BandCalibration, BandFunnel, MonthProfit, StockLine, flip_analytics
from dealwatch.flip.fees import default_fee_tables
from dealwatch.flip.inventory import (
    Purchase,
    ResaleListing,
    Sale,
    record_listing,
    record_purchase,
    record_sale,
)
from dealwatch.testing import add_listing, add_opportunity

NOW = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
TABLES = default_fee_tables()


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money.of(amount)


def found(
    session: Session,
    name: str,
    marketplace: str,
    seen: datetime,
    score: float | None = None,
    estimate: str = "0",
) -> int | None:
    """A listing a scan found on `seen`, and its opportunity when it was scored; the opportunity's id."""
    listing = add_listing(session, name, seen=seen, title=name, marketplace=marketplace, price="10")
    if score is None:
        return None
    route = "buy" if score >= 8 else "review" if score >= 6 else "skip"
    opportunity = add_opportunity(
        session,
        listing,
        route=route,
        status="open",
        estimate=Decimal(estimate),
        net_profit=Decimal(estimate) * Decimal("0.4"),
        score=score,
    )
    return opportunity.id


@pytest.fixture
def scenario(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Eight listings, seven scored; four items bought (one without an opportunity), three sold."""
    with sessions.begin() as session:
        a = found(session, "A", "craigslist", at(9, 1), 9.1, "300")  # expected profit 120
        b = found(session, "B", "offerup", at(10, 1), 8.2, "200")  # 80
        c = found(session, "C", "craigslist", at(10, 5), 6.5, "150")  # 60
        d = found(session, "D", "craigslist", at(10, 10), 6.9, "120")
        found(session, "E", "craigslist", at(9, 15), 3.0)
        found(session, "F", "offerup", at(10, 20), 1.0)
        found(session, "G", "facebook", at(11, 2), 7.5)
        found(session, "H", "craigslist", at(8, 1))  # seen, never scored

        def bought(opportunity: int | None, cost: str, on: datetime, title: str | None = None) -> int:
            purchase = Purchase(opportunity_id=opportunity, title=title, cost=usd(cost), at=on)
            return record_purchase(session, purchase, NOW, TABLES).id

        item_a = bought(a, "100", at(9, 2))
        record_listing(session, item_a, ResaleListing("ebay", usd("299"), at=at(9, 3)), NOW, TABLES)
        # 23:30 UTC on the last day of September: a September sale whatever the server's time zone.
        record_sale(session, item_a, Sale(usd("280"), fees=usd("30"), at=at(9, 30, 23, 30)), NOW, TABLES)
        item_b = bought(b, "90", at(10, 2))
        record_sale(session, item_b, Sale(usd("250"), marketplace="local", at=at(10, 12)), NOW, TABLES)
        item_c = bought(c, "70", at(10, 6))
        record_sale(session, item_c, Sale(usd("100"), marketplace="local", at=at(10, 30)), NOW, TABLES)
        item_d = bought(d, "50", at(10, 11))
        record_listing(session, item_d, ResaleListing("facebook", usd("120"), at=at(10, 12)), NOW, TABLES)
        lamp = bought(None, "5", at(11, 1), title="garage sale lamp")
        record_sale(session, lamp, Sale(usd("40"), marketplace="local", at=at(11, 5)), NOW, TABLES)
    return sessions


def test_everything_at_once(scenario: sessionmaker[Session]) -> None:
    with scenario() as session:
        report = flip_analytics(session)
    assert report.listings_scanned == 8
    assert report.listings_by_marketplace == {"craigslist": 5, "facebook": 1, "offerup": 2}
    assert report.opportunities_by_route == {"buy": 2, "review": 3, "skip": 2}
    assert report.opportunities_by_band == [
        BandFunnel("8-10", 2, 2, 2),
        BandFunnel("6-8", 3, 2, 1),
        BandFunnel("4-6", 0, 0, 0),
        BandFunnel("2-4", 1, 0, 0),
        BandFunnel("0-2", 1, 0, 0),
    ]
    conversion = report.conversion
    assert (conversion.opportunities, conversion.bought, conversion.sold) == (7, 4, 3)
    assert conversion.bought_rate == pytest.approx(4 / 7) and conversion.sold_rate == pytest.approx(3 / 4)
    assert report.profit_by_month == [
        MonthProfit("2025-09", 1, usd("280.00"), usd("150.00"), 28.0),  # 280 − 30 fees − 100
        MonthProfit(
            "2025-10", 2, usd("350.00"), usd("190.00"), 17.0
        ),  # (250 − 90) + (100 − 70); 10 and 24 days
        MonthProfit("2025-11", 1, usd("40.00"), usd("35.00"), 4.0),
    ]
    assert report.calibration == [
        BandCalibration("8-10", 2, 2, usd("200.00"), usd("310.00")),
        BandCalibration("6-8", 1, 1, usd("60.00"), usd("30.00")),
        BandCalibration("unscored", 1, 1, None, usd("35.00")),  # no opportunity: nothing was expected
    ]
    assert report.calibration[0].mean_realised_profit == usd("155.00")
    assert report.stock == [StockLine("listed", 1, usd("50.00")), StockLine("sold", 4, usd("265.00"))]
    # (300 − 280) / 280, (200 − 250) / 250, (150 − 100) / 100; the lamp had no estimate
    error = report.valuation_error
    assert error.count == 3
    assert error.mdape == pytest.approx(0.2)
    assert error.bias == pytest.approx((20 / 280 - 0.2 + 0.5) / 3, abs=1e-4)


def test_a_window_counts_listings_opportunities_and_sales_inside_it(scenario: sessionmaker[Session]) -> None:
    with scenario() as session:
        report = flip_analytics(session, since=at(10, 1, 0), until=at(11, 1, 0))
    assert report.listings_scanned == 4  # B, C, D, F
    conversion = report.conversion
    assert (conversion.opportunities, conversion.bought, conversion.sold) == (4, 3, 2)
    assert [m.month for m in report.profit_by_month] == ["2025-10"]
    assert [(b.band, b.sold) for b in report.calibration] == [("8-10", 1), ("6-8", 1)]
    assert report.valuation_error.count == 2
    assert report.valuation_error.mdape == pytest.approx(0.35)  # even count: the mean of 0.2 and 0.5
    assert report.valuation_error.bias == pytest.approx(0.15)


def test_an_empty_database_gives_zeros_not_errors(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        report = flip_analytics(session)
    assert report.listings_scanned == 0 and report.profit_by_month == [] and report.calibration == []
    assert [b.opportunities for b in report.opportunities_by_band] == [0, 0, 0, 0, 0]
    assert report.conversion.bought_rate is None
    assert (report.valuation_error.count, report.valuation_error.mdape) == (0, None)
