"""Profit arithmetic: net profit, margin, ROI and max buy price to the cent; shipping and travel estimates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.profit import (
    SIZE_CLASS_SHIPPING,
    ProfitEstimate,
    ShippingEstimate,
    estimate_profit,
    median_shipping,
    shipping_estimate,
    travel_cost,
)

USD = Money.of
TODAY = date(2025, 6, 1)


def test_shipped_flip_arithmetic_is_exact() -> None:
    profit = estimate_profit(
        USD("60"),
        USD("200"),
        platform="ebay",
        category=None,
        shipped=True,
        on=TODAY,
        shipping=shipping_estimate(USD("15.50")),
        travel=USD("14.00"),
    )
    # eBay: 13.25% of $200 + $0.40 per order.
    assert profit.fees.total == USD("26.90")
    assert profit.revenue == USD("200")
    assert profit.selling_costs == USD("56.40")
    assert profit.net_profit == USD("83.60")
    assert profit.margin == Decimal("0.4180")
    # 83.60 / (60 + 14) = 1.129729...
    assert profit.roi == Decimal("1.1297")
    # No target: the break-even buy price.
    assert profit.max_buy_price == USD("143.60")


def test_max_buy_price_meets_both_targets_and_rounds_down() -> None:
    def estimate(target_profit: Money | None = None, target_roi: Decimal | None = None) -> Money:
        return estimate_profit(
            USD("60"),
            USD("200"),
            platform="ebay",
            category=None,
            shipped=True,
            on=TODAY,
            shipping=ShippingEstimate(USD("15.50"), "test"),
            travel=USD("14.00"),
            target_profit=target_profit,
            target_roi=target_roi,
        ).max_buy_price

    # Proceeds after fees and shipping: 200 − 26.90 − 15.50 = 157.60.
    assert estimate(target_profit=USD("50")) == USD("93.60")
    # 157.60 / 1.5 − 14 = 91.0666…: rounded down, never up past the limit.
    assert estimate(target_roi=Decimal("0.5")) == USD("91.06")
    assert estimate(target_profit=USD("50"), target_roi=Decimal("0.5")) == USD("91.06")
    assert estimate(target_profit=USD("500")) == USD("0")


def test_buying_at_the_max_buy_price_meets_the_target() -> None:
    def mercari_flip(buy: Money) -> ProfitEstimate:
        return estimate_profit(
            buy,
            USD("87"),
            platform="mercari",
            category=None,
            shipped=True,
            on=TODAY,
            shipping=shipping_estimate(None, "small"),
            travel=USD("3.30"),
            target_roi=Decimal("0.35"),
        )

    limit = mercari_flip(USD("1")).max_buy_price
    assert limit == USD("50.25")
    at_limit, past_limit = mercari_flip(limit).roi, mercari_flip(limit + USD("0.01")).roi
    assert at_limit is not None and at_limit >= Decimal("0.35")
    assert past_limit is not None and past_limit < Decimal("0.35")


def test_local_flip_pays_no_fee_and_no_shipping() -> None:
    profit = estimate_profit(
        USD("40"), USD("120"), platform="facebook", category=None, shipped=False, on=TODAY, travel=USD("7")
    )
    assert profit.fees.total == USD("0")
    assert profit.shipping == ShippingEstimate(USD("0"), "local pickup")
    assert profit.net_profit == USD("73")
    assert profit.roi == Decimal("1.5532")
    with pytest.raises(InvalidInput, match="local pickup sale has no shipping"):
        estimate_profit(
            USD("40"),
            USD("120"),
            platform="facebook",
            category=None,
            shipped=False,
            on=TODAY,
            shipping=shipping_estimate(None),
        )


def test_buyer_paid_shipping_is_revenue_and_pays_fees() -> None:
    profit = estimate_profit(
        USD("50"),
        USD("100"),
        platform="ebay",
        category=None,
        shipped=True,
        on=TODAY,
        shipping=ShippingEstimate(USD("12"), "label"),
        shipping_charged=USD("12"),
    )
    assert profit.revenue == USD("112")
    # 13.25% of $112 = 14.84, + $0.40.
    assert profit.fees.total == USD("15.24")
    assert profit.net_profit == USD("34.76")
    assert profit.margin == Decimal("0.3104")


def test_losses_and_free_items() -> None:
    loss = estimate_profit(
        USD("95"),
        USD("100"),
        platform="offerup",
        category=None,
        shipped=True,
        on=TODAY,
        shipping=ShippingEstimate(USD("9"), "label"),
    )
    assert loss.net_profit == USD("-16.90")
    assert loss.margin == Decimal("-0.1690")
    assert loss.max_buy_price == USD("78.10")
    free = estimate_profit(USD("0"), USD("100"), platform="local", category=None, shipped=False, on=TODAY)
    assert free.roi is None
    assert free.margin == Decimal("1.0000")


def test_shipping_estimate_prefers_comps_then_size_class() -> None:
    assert shipping_estimate(USD("14.456")) == ShippingEstimate(USD("14.46"), "median shipping of comps")
    # A zero median means the comps shipped "free": the label cost is unknown, use the size class.
    assert shipping_estimate(USD("0"), "large").cost == SIZE_CLASS_SHIPPING["large"]
    assert shipping_estimate(None).basis == "size class medium"
    own = {"medium": USD("9.99")}
    assert shipping_estimate(None, size_classes=own).cost == USD("9.99")
    with pytest.raises(InvalidInput, match="known: large, medium, small, xlarge"):
        shipping_estimate(None, "huge")


def test_median_shipping_of_comps() -> None:
    assert median_shipping([USD("9.50"), None, USD("12"), USD("7")]) == USD("9.50")
    assert median_shipping([USD("9.50"), USD("12.25")]) == USD("10.875")
    assert median_shipping([None, None]) is None


def test_travel_cost_is_a_round_trip_at_a_per_distance_rate() -> None:
    # 16.09344 km is exactly 10 miles: 20 miles there and back at $0.70.
    assert travel_cost(Decimal("16.09344"), USD("0.70")) == USD("14.00")
    assert travel_cost(Decimal("25"), Money.of("0.30", "EUR"), per="km") == Money.of("15.00", "EUR")
    assert travel_cost(Decimal("25"), Money.of("0.30", "EUR"), per="km", round_trip=False) == Money.of(
        "7.50", "EUR"
    )
    with pytest.raises(InvalidInput):
        travel_cost(Decimal("-1"), USD("0.70"))


def test_mixed_currencies_are_refused() -> None:
    with pytest.raises(InvalidInput, match="EUR"):
        estimate_profit(
            Money.of("10", "EUR"), USD("100"), platform="local", category=None, shipped=False, on=TODAY
        )
    with pytest.raises(InvalidInput, match="needs a shipping estimate"):
        estimate_profit(USD("10"), USD("100"), platform="ebay", category=None, shipped=True, on=TODAY)
