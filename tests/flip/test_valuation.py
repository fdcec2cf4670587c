"""Valuation from comps: window, outlier fence, condition, shrinkage, interval and refusals."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.matching import NEW, Comp, CompIndex, ItemQuery
from dealwatch.flip.valuation import DEFAULT_CONDITION_FACTORS, PoolStats, value

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
AUDIO = "Electronics/Audio/Headphones"


def sold(title: str, price: str, days_ago: float = 5, currency: str = "USD", **kwargs: object) -> Comp:
    return Comp(
        title=title,
        price=Money(Decimal(price), currency),
        sold_at=NOW - timedelta(days=days_ago),
        **kwargs,  # type: ignore[arg-type]
    )


def xm4(price: str, days_ago: float = 5, **kwargs: object) -> Comp:
    return sold(
        "Sony WH-1000XM4 Wireless Headphones", price, days_ago, brand="Sony", category=AUDIO, **kwargs
    )


QUERY = ItemQuery("Sony WH1000XM4 headphones black", "Sony", AUDIO)


def amount(money: Money | None) -> float:
    assert money is not None
    return float(money.amount)


def test_values_from_close_comps_with_an_interval_and_confidence() -> None:
    index = CompIndex([xm4(p) for p in ("160", "170", "175", "180", "165", "172")])
    valuation = value(QUERY, index, now=NOW)
    assert valuation.valued and valuation.reason is None
    assert 165 <= amount(valuation.estimate) <= 176
    assert amount(valuation.low) < amount(valuation.estimate) < amount(valuation.high)
    assert valuation.n_comps == len(valuation.comps_used) == 6
    assert valuation.method == "model number" and 0 < valuation.confidence <= 1
    assert valuation.estimate is not None and valuation.estimate.currency == "USD"
    assert valuation.estimate.amount == valuation.estimate.amount.quantize(Decimal("0.01"))


def test_outliers_beyond_the_iqr_fence_are_dropped() -> None:
    prices = ("95", "100", "102", "98", "105", "99", "101", "97")
    index = CompIndex([xm4(p) for p in prices] + [xm4("1000"), xm4("4")])
    valuation = value(QUERY, index, now=NOW)
    assert 97 <= amount(valuation.estimate) <= 102
    used = {m.comp.price.amount for m in valuation.comps_used}
    assert Decimal(1000) not in used and Decimal(4) not in used and valuation.n_comps == 8


def test_comps_outside_the_window_or_after_now_are_ignored() -> None:
    recent = [xm4(p) for p in ("100", "104", "98")]
    old = [xm4(p, days_ago=200) for p in ("300", "310", "290", "305", "295")]
    future = [xm4("500", days_ago=-3)]
    index = CompIndex(recent + old + future)
    valuation = value(QUERY, index, now=NOW)
    # The prior (every comp of the category+brand, old ones too) pulls a 3-comp estimate up a little.
    assert valuation.n_comps == 3 and 98 <= amount(valuation.estimate) <= 110
    assert all(
        m.comp.sold_at is not None and m.comp.sold_at >= NOW - timedelta(days=90)
        for m in valuation.comps_used
    )
    wider = value(QUERY, index, now=NOW, window_days=365)
    # In the window, but 200 days old: a 30-day half-life leaves them almost no weight.
    assert wider.n_comps == 8 and amount(wider.estimate) < 110
    flat = value(QUERY, index, now=NOW, window_days=365, half_life_days=10_000)
    assert amount(flat.estimate) > 250


def test_recent_comps_weigh_more() -> None:
    index = CompIndex([xm4("100", days_ago=2)] * 3 + [xm4("140", days_ago=80)] * 3)
    assert amount(value(QUERY, index, now=NOW).estimate) < 120


def test_fewer_than_min_comps_is_not_valued_and_says_why() -> None:
    index = CompIndex([xm4("100"), xm4("104"), xm4("300", days_ago=120)])
    valuation = value(QUERY, index, now=NOW)
    assert not valuation.valued and valuation.estimate is None and valuation.low is None
    assert valuation.reason is not None and valuation.reason.startswith("2 comps, need 3")
    assert "1 older than 90 days" in valuation.reason
    assert (valuation.n_comps, valuation.confidence, valuation.method) == (2, 0.0, "none")
    assert value(QUERY, index, now=NOW, min_comps=2).valued


def test_thin_samples_shrink_toward_the_category_brand_prior() -> None:
    # The category+brand's other items sell around $40; the item's own comps say about $100.
    others = [
        sold(f"Sony MDR-{7500 + i} Studio Headphones", str(35 + i % 10), brand="Sony", category=AUDIO)
        for i in range(40)
    ]
    thin = value(QUERY, CompIndex([*others, xm4("70"), xm4("100"), xm4("140")]), now=NOW)
    many = value(QUERY, CompIndex(others + [xm4(str(p)) for p in range(70, 141, 5)]), now=NOW, max_comps=30)
    assert thin.prior_weight > 0.15 > 0.05 > many.prior_weight
    assert 45 < amount(thin.estimate) < 95  # the comps' median is 100
    assert abs(amount(many.estimate) - 105) < 6


def test_the_interval_widens_for_small_samples() -> None:
    prices = [str(p) for p in range(90, 111, 2)]
    few = value(QUERY, CompIndex([xm4(p) for p in prices[::4]]), now=NOW)
    lots = value(QUERY, CompIndex([xm4(p) for p in prices * 3]), now=NOW)
    assert few.n_comps == 3 and lots.n_comps == 30
    width = lambda v: math.log(amount(v.high) / amount(v.low))  # noqa: E731
    assert width(few) > 1.5 * width(lots)
    assert few.confidence < lots.confidence


def test_enough_model_number_matches_keep_title_only_matches_out() -> None:
    title_only = [
        sold("Sony Wireless Noise Cancelling Headphones Black", "60", brand="Sony", category=AUDIO)
        for _ in range(8)
    ]
    index = CompIndex([*title_only, xm4("200"), xm4("210"), xm4("190")])
    valuation = value(QUERY, index, now=NOW)
    assert valuation.method == "model number" and valuation.n_comps == 3
    assert 180 <= amount(valuation.estimate) <= 210


def test_condition_moves_comp_prices_to_the_items_condition() -> None:
    index = CompIndex([xm4(p, condition="Used") for p in ("100", "104", "98", "101")])
    used = value(QUERY, index, now=NOW)
    broken = value(ItemQuery(QUERY.title, "Sony", AUDIO, "For parts or not working"), index, now=NOW)
    new = value(ItemQuery(QUERY.title, "Sony", AUDIO, "Brand New"), index, now=NOW)
    assert amount(broken.estimate) < 0.6 * amount(used.estimate) < amount(new.estimate)


def test_condition_factors_are_learned_from_the_pool() -> None:
    comps = []
    for i in range(12):
        model = f"Casio GA-{2100 + i} watch"
        comps += [sold(model, "100", condition="Used"), sold(model, "200", condition="New")]
    learned = PoolStats.learn(CompIndex(comps)).condition_factors
    assert learned[NEW] > DEFAULT_CONDITION_FACTORS[NEW] + 0.2
    assert learned[NEW] < math.log(2)  # shrunk toward the default


def test_other_currencies_are_skipped_unless_rates_are_given() -> None:
    comps = [xm4("100"), xm4("102")] + [xm4("90", currency="EUR") for _ in range(3)]
    index = CompIndex(comps)
    refused = value(QUERY, index, now=NOW)
    assert not refused.valued and refused.reason is not None and "3 in EUR" in refused.reason
    converted = value(QUERY, index, now=NOW, rates={"EUR": Decimal("1.1")})
    assert converted.valued and converted.n_comps == 5
    assert 98 <= amount(converted.estimate) <= 102 and converted.estimate is not None
    assert converted.estimate.currency == "USD"


def test_bad_arguments() -> None:
    index = CompIndex([xm4("100")])
    with pytest.raises(InvalidInput, match="naive"):
        value(QUERY, index, now=datetime(2026, 6, 30))  # noqa: DTZ001 - the point of the test
    with pytest.raises(InvalidInput, match="min_comps"):
        value(QUERY, index, now=NOW, min_comps=0)
    assert value(QUERY, CompIndex([]), now=NOW).reason == "0 comps, need 3 (0 matched)"


def test_the_typical_spread_is_learned_from_model_groups() -> None:
    tight = [sold(f"Casio GA-{2100 + i} watch", p) for i in range(12) for p in ("98", "100", "102")]
    loose = [sold(f"Casio GA-{2100 + i} watch", p) for i in range(12) for p in ("60", "100", "170")]
    assert PoolStats.learn(CompIndex(tight)).typical_spread < 0.15
    assert PoolStats.learn(CompIndex(loose)).typical_spread > 0.35
    assert PoolStats.learn(CompIndex(tight[:3])).typical_spread > 0.2  # one group: mostly the default
