"""Profit of one flip: what reselling brings in, minus platform fees, shipping, travel and the buy price.

    revenue     = sell price + shipping charged to the buyer (0 when the seller offers free shipping)
    net profit  = revenue − fees − shipping label − travel − buy price
    margin      = net profit / revenue
    ROI         = net profit / (buy price + travel)           travel is part of what buying costs
    max buy     = the highest buy price still meeting the target profit and the target ROI

Fees come from the dated fee tables (fees.py); shipping from the comps' median shipping or a package
size-class table; travel is distance × a per-km or per-mile rate, there and back. Every amount is
Money (Decimal); ratios are Decimal rounded to 4 places. `MarketValue` is what scoring and the LLM
evaluation read from a valuation (flip/valuation.py's Valuation fits it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Literal, Protocol

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.fees import FeeBreakdown, FeeTables, default_fee_tables

KM_PER_MILE = Decimal("1.609344")
RATIO_PLACES = Decimal("0.0001")

# Rough label costs (USD) of a package in each size class, mid-distance zone: USPS Ground Advantage for
# small/medium (≤ 1 lb, 1–5 lb), UPS/FedEx Ground for large (5–20 lb) and extra-large (20–50 lb), at
# 2025 retail-ish prices. Ballparks for when comps show no shipping: operators should set their own.
SIZE_CLASS_SHIPPING: Mapping[str, Money] = {
    "small": Money.of("6.00"),
    "medium": Money.of("12.00"),
    "large": Money.of("25.00"),
    "xlarge": Money.of("55.00"),
}


class MarketValue(Protocol):
    """A valuation as scoring and the LLM evaluation read it (None: the comps gave no estimate)."""

    @property
    def estimate(self) -> Money | None:
        """The expected resale price."""
        ...

    @property
    def low(self) -> Money | None:
        """The low end of the resale interval."""
        ...

    @property
    def high(self) -> Money | None:
        """The high end of the resale interval."""
        ...

    @property
    def confidence(self) -> float:
        """0–1: how much the estimate can be trusted."""
        ...

    @property
    def n_comps(self) -> int:
        """How many comparable sales the estimate rests on."""
        ...


@dataclass(frozen=True, slots=True)
class ShippingEstimate:
    """What shipping the item to its buyer will cost the seller, and where the number came from."""

    cost: Money
    basis: str


def median_shipping(amounts: Iterable[Money | None]) -> Money | None:
    """The median of the comps' shipping charges (unknown ones left out); None when none is known."""
    known = sorted((m for m in amounts if m is not None), key=lambda m: m.amount)
    if not known:
        return None
    middle = len(known) // 2
    if len(known) % 2:
        return known[middle]
    return Money((known[middle - 1].amount + known[middle].amount) / 2, known[middle].currency)


def shipping_estimate(
    comps_median: Money | None,
    size_class: str = "medium",
    *,
    size_classes: Mapping[str, Money] = SIZE_CLASS_SHIPPING,
) -> ShippingEstimate:
    """The comps' median shipping when they show one, else the size class's label cost."""
    # A median of zero means most comps shipped "free": the label was paid inside the price, so it
    # says nothing about what the label costs.
    if comps_median is not None and comps_median.amount > 0:
        return ShippingEstimate(comps_median.rounded(), "median shipping of comps")
    try:
        cost = size_classes[size_class]
    except KeyError:
        known = ", ".join(sorted(size_classes))
        raise InvalidInput(f"unknown package size class {size_class!r}; known: {known}") from None
    return ShippingEstimate(cost, f"size class {size_class}")


def travel_cost(
    distance_km: Decimal, rate: Money, *, per: Literal["km", "mi"] = "mi", round_trip: bool = True
) -> Money:
    """Driving cost to fetch the item: distance × rate per km or mile, doubled for the way back."""
    if distance_km < 0:
        raise InvalidInput(f"distance must not be negative, got {distance_km} km")
    distance = distance_km if per == "km" else distance_km / KM_PER_MILE
    return (rate * distance * (2 if round_trip else 1)).rounded()


@dataclass(frozen=True, slots=True)
class ProfitEstimate:
    """The money side of one flip, every part kept so it can be shown and checked."""

    sell_price: Money
    shipping_charged: Money
    fees: FeeBreakdown
    shipping: ShippingEstimate
    travel: Money
    buy_price: Money
    net_profit: Money
    margin: Decimal | None
    """net profit / revenue; None when there is no revenue"""
    roi: Decimal | None
    """net profit / (buy price + travel); None when buying costs nothing"""
    max_buy_price: Money
    """the highest buy price meeting both targets (break-even when none is set); zero when none does"""
    target_profit: Money | None
    target_roi: Decimal | None

    @property
    def revenue(self) -> Money:
        """What the buyer pays: sell price plus shipping charged."""
        return self.sell_price + self.shipping_charged

    @property
    def selling_costs(self) -> Money:
        """Everything but the buy price: fees, shipping label and travel."""
        return self.fees.total + self.shipping.cost + self.travel


def estimate_profit(
    buy_price: Money,
    sell_price: Money,
    *,
    platform: str,
    category: str | None,
    shipped: bool,
    on: date,
    shipping: ShippingEstimate | None = None,
    shipping_charged: Money | None = None,
    travel: Money | None = None,
    target_profit: Money | None = None,
    target_roi: Decimal | None = None,
    sales_tax_rate: Decimal = Decimal(0),
    tables: FeeTables | None = None,
) -> ProfitEstimate:
    """Net profit, margin, ROI and max buy price of buying at `buy_price` and reselling at `sell_price`."""
    currency = sell_price.currency
    zero = Money(Decimal(0), currency)
    if shipped and shipping is None:
        raise InvalidInput("a shipped sale needs a shipping estimate (see shipping_estimate)")
    if not shipped and (shipping is not None or shipping_charged is not None):
        raise InvalidInput("a local pickup sale has no shipping")
    if target_roi is not None and target_roi <= -1:
        raise InvalidInput(f"target ROI must be above -1, got {target_roi}")
    shipping = shipping or ShippingEstimate(zero, "local pickup")
    shipping_charged = shipping_charged or zero
    travel = travel or zero
    amounts = [buy_price, shipping.cost, shipping_charged, travel]
    if target_profit is not None:
        amounts.append(target_profit)
    if stray := [str(m) for m in amounts if m.currency != currency]:
        raise InvalidInput(f"every amount must be in the sell price's {currency}; got {', '.join(stray)}")
    fees = (tables or default_fee_tables()).fee_for(
        platform,
        category,
        sell_price,
        shipped,
        on,
        shipping_charged=shipping_charged,
        sales_tax_rate=sales_tax_rate,
    )

    revenue = sell_price + shipping_charged
    # What is left after selling, before paying for the item and the trip to fetch it.
    proceeds = revenue - fees.total - shipping.cost
    net = proceeds - travel - buy_price
    cost_basis = buy_price + travel
    limits = [proceeds - travel - (target_profit or zero)]
    if target_roi is not None:
        # net = r × (buy + travel)  ⇔  buy = proceeds / (1 + r) − travel
        limits.append(Money(proceeds.amount / (1 + target_roi), currency) - travel)
    max_buy = min(limits, key=lambda m: m.amount)
    return ProfitEstimate(
        sell_price=sell_price,
        shipping_charged=shipping_charged,
        fees=fees,
        shipping=shipping,
        travel=travel,
        buy_price=buy_price,
        net_profit=net,
        margin=_ratio(net.amount, revenue.amount),
        roi=_ratio(net.amount, cost_basis.amount),
        max_buy_price=_floor(max(max_buy, zero, key=lambda m: m.amount)),
        target_profit=target_profit,
        target_roi=target_roi,
    )


def _floor(money: Money) -> Money:
    """Round down to the currency's minor unit: a maximum price must never round up past the limit."""
    # quantize() takes the exponent of its argument: the rounded amount carries the minor unit.
    return Money(money.amount.quantize(money.rounded().amount, rounding=ROUND_FLOOR), money.currency)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(RATIO_PLACES, ROUND_HALF_EVEN)
