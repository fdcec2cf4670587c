"""Flip analytics on both databases, from a scenario whose numbers are worked out by hand below; written-off
items are losses that count."""

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
    WriteOff,
    record_listing,
    record_purchase,
    record_sale,
    record_write_off,
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
    """Eight listings, seven scored; four bought from them, three sold and one written off; two bought
    elsewhere, one sold and one written off."""
    with sessions.begin() as session:
        a = found(session, "A", "craigslist", at(9, 1), 9.1, "300")  # expected profit 120
        b = found(session, "B", "offerup", at(10, 1), 8.2, "200")  # 80
        c = found(session, "C", "craigslist", at(10, 5), 6.5, "150")  # 60
        d = found(session, "D", "craigslist", at(10, 10), 6.9, "120")  # 48
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
        record_write_off(session, item_d, WriteOff("cracked in transit", usd("12"), at(11, 8)), NOW)
        lamp = bought(None, "5", at(11, 1), title="garage sale lamp")
        record_sale(session, lamp, Sale(usd("40"), marketplace="local", at=at(11, 5)), NOW, TABLES)
        # August has nothing but this write-off: its month shows the loss alone.
        radio = bought(None, "25", at(8, 10), title="broken radio")
        record_write_off(session, radio, WriteOff("does not power on", at=at(8, 20)), NOW)
    return sessions


def test_everything_at_once(scenario: sessionmaker[Session]) -> None:
    with scenario() as session:
        report = flip_analytics(session)
    assert report.listings_scanned == 8
    assert report.listings_by_marketplace == {"craigslist": 5, "facebook": 1, "offerup": 2}
    assert report.opportunities_by_route == {"buy": 2, "review": 3, "skip": 2}
    assert report.opportunities_by_band == [
        BandFunnel("8-10", 2, 2, 2, 0),
        BandFunnel("6-8", 3, 2, 1, 1),
        BandFunnel("4-6", 0, 0, 0, 0),
        BandFunnel("2-4", 1, 0, 0, 0),
        BandFunnel("0-2", 1, 0, 0, 0),
    ]
    conversion = report.conversion
    assert (conversion.opportunities, conversion.bought, conversion.sold, conversion.written_off) == (
        7,
        4,
        3,
        1,
    )
    assert conversion.bought_rate == pytest.approx(4 / 7) and conversion.sold_rate == pytest.approx(3 / 4)
    assert conversion.written_off_rate == pytest.approx(1 / 4)
    assert report.profit_by_month == [
        MonthProfit("2025-08", 0, 1, usd("0.00"), usd("-25.00"), None),  # the radio: nothing recovered
        MonthProfit("2025-09", 1, 0, usd("280.00"), usd("150.00"), 28.0),  # 280 − 30 fees − 100
        MonthProfit(
            "2025-10", 2, 0, usd("350.00"), usd("190.00"), 17.0
        ),  # (250 − 90) + (100 − 70); 10 and 24 days
        # the lamp's 40 − 5 and D's loss, 12 recovered − 50; days to sell are the lamp's alone
        MonthProfit("2025-11", 1, 1, usd("40.00"), usd("-3.00"), 4.0),
    ]
    assert report.calibration == [
        BandCalibration("8-10", 2, 0, 2, usd("200.00"), usd("310.00")),
        # C sold (expected 60, made 30) and D written off (expected 48, lost 38)
        BandCalibration("6-8", 1, 1, 1, usd("108.00"), usd("-8.00")),
        # no opportunity: nothing was expected; the lamp made 35, the radio lost 25
        BandCalibration("unscored", 1, 1, 1, None, usd("10.00")),
    ]
    assert report.calibration[0].mean_realised_profit == usd("155.00")
    assert report.calibration[1].mean_realised_profit == usd("-4.00")  # per closed item
    assert report.stock == [StockLine("sold", 4, usd("265.00")), StockLine("written_off", 2, usd("75.00"))]
    # (300 − 280) / 280, (200 − 250) / 250, (150 − 100) / 100; the lamp had no estimate and D never sold
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


def test_a_window_counts_write_offs_by_when_they_were_written_off(scenario: sessionmaker[Session]) -> None:
    with scenario() as session:
        august = flip_analytics(session, since=at(8, 1, 0), until=at(9, 1, 0))
        november = flip_analytics(session, since=at(11, 1, 0), until=at(12, 1, 0))
    assert august.profit_by_month == [MonthProfit("2025-08", 0, 1, usd("0.00"), usd("-25.00"), None)]
    assert [(b.band, b.sold, b.written_off) for b in august.calibration] == [("unscored", 0, 1)]
    assert august.calibration[0].mean_realised_profit == usd("-25.00")
    assert [(m.month, m.sold, m.written_off) for m in november.profit_by_month] == [("2025-11", 1, 1)]
    assert [(b.band, b.sold, b.written_off) for b in november.calibration] == [
        ("6-8", 0, 1),
        ("unscored", 1, 0),
    ]


def test_an_empty_database_gives_zeros_not_errors(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        report = flip_analytics(session)
    assert report.listings_scanned == 0 and report.profit_by_month == [] and report.calibration == []
    assert [b.opportunities for b in report.opportunities_by_band] == [0, 0, 0, 0, 0]
    assert report.conversion.bought_rate is None
    assert (report.valuation_error.count, report.valuation_error.mdape) == (0, None)
