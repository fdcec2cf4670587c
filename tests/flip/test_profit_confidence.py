"""The score's confidence: how sure a flip is to make money, from the valuation's interval and its comps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dealwatch.core.money import Money
from dealwatch.flip.comps import SoldItems
from dealwatch.flip.fees import default_fee_tables
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.opportunities import Assessment, FlipRules, assess

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
TITLE = "Sony WH-1000XM4 wireless noise cancelling headphones"


def sold(prices: list[int]) -> SoldItems:
    return SoldItems(
        "sony wh-1000xm4",
        "ok",
        tuple(
            ListingDraft(
                marketplace="ebay",
                external_id=f"s{i}",
                title=TITLE if i % 2 else "Sony WH1000XM4 headphones black",
                url=f"https://www.ebay.com/itm/{i}",
                price=Money(Decimal(price), "USD"),
                condition="Pre-owned",
                sold=True,
                sold_at=NOW - timedelta(days=2 + i),
            )
            for i, price in enumerate(prices)
        ),
        fetched_at=NOW,
    )


TIGHT = sold([198, 200, 202, 199, 201, 203, 197, 200, 204, 196, 200, 202])
LOOSE = sold([120, 260, 150, 230, 180, 300, 140, 210, 170, 250, 200, 110])


def offered(price: str) -> ListingDraft:
    return ListingDraft(
        marketplace="craigslist",
        external_id="1",
        title=TITLE,
        url="https://sfbay.craigslist.org/ele/d/1.html",
        price=Money(Decimal(price), "USD"),
        condition="used",
        image_urls=("https://images.craigslist.org/1.jpg",),
    )


def judged(price: str, comps: SoldItems) -> Assessment:
    return assess(offered(price), comps, default_fee_tables(), FlipRules(), NOW)


def confidence(assessment: Assessment) -> float:
    assert assessment.score is not None and assessment.profit is not None
    return assessment.score.components["confidence"] / 2.5


def test_the_cheaper_the_ask_the_surer_the_profit() -> None:
    by_price = [confidence(judged(price, TIGHT)) for price in ("60", "100", "130", "160", "200")]
    assert by_price == sorted(by_price, reverse=True)
    assert by_price[0] > 0.8  # far below a tight market: all but certain to make money
    assert by_price[-1] < 0.1  # at the market price the fees make a loss all but certain


def width(assessment: Assessment) -> Decimal:
    valuation = assessment.valuation
    assert valuation is not None and valuation.low is not None and valuation.high is not None
    return valuation.high.amount - valuation.low.amount


def test_a_wide_market_makes_the_same_ask_less_sure() -> None:
    tight, loose = judged("100", TIGHT), judged("100", LOOSE)
    assert width(loose) > 3 * width(tight)
    assert confidence(loose) < confidence(tight)
