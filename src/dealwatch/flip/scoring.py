"""Scoring and routing: a 0–10 profit score from the profit estimate, the valuation and the listing's risk
flags, and the seed's routing of that score (≥ 8 buy workflow, ≥ 6 human review, else skip).

The score is a sum of capped parts, each kept in `Score.components` (defaults in ScoreWeights):

    profit      4.0 × (1 − e^(−net profit / 150))    diminishing returns: 50 → 1.1, 150 → 2.5, 300 → 3.5;
                                                      0 for a loss (the scale is in the profit's currency)
    margin      2.5 × clamp(margin / 0.5, 0, 1)       full marks from a 50% margin, 0 for none
    confidence  2.5 × how sure the profit is (0–1; `opportunities.profit_confidence`: the chance that
                the flip makes money, from the valuation's interval, × how closely the comps match)
    comps       1.0 × min(comps, 10) / 10
    risk        − the sum of the risk flags' penalties

    value = clamp(sum, 0, 10), then capped at 7.9 (below the default buy threshold) when the risk level
    is high or fewer than 3 comps back the value: those listings go to a human, never straight to buy.

Risk flags (`detect_risks`, penalties in RiskRules): an asking price far below market value (the scam
pattern), no photos, a vague title, "for parts"/broken wording, shipping only from far away, a new
seller account, and listing text addressed to an AI. The risk level is high when a severe flag is
raised or the penalties reach 2.5, medium from 1, else low.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from dealwatch.core.errors import InvalidInput
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.profit import MarketValue, ProfitEstimate

RiskLevel = Literal["low", "medium", "high"]
Route = Literal["buy", "review", "skip"]

BUY_AT = 8.0
REVIEW_AT = 6.0

RISK_PENALTIES: Mapping[str, float] = {
    "price_far_below_market": 2.0,
    "for_parts": 2.0,
    "shipping_far": 1.5,
    "no_photos": 1.0,
    "new_seller": 1.0,
    "addressed_to_ai": 1.0,
    "vague_title": 0.5,
}
# A flag that makes the risk high on its own.
SEVERE = frozenset({"price_far_below_market"})

_FOR_PARTS = re.compile(
    r"\b(?:for parts|parts only|parts or repair|not working|doesn'?t work|does not work|broken|as[- ]is|"
    r"needs? repair|for repair|cracked|no power|won'?t (?:turn on|power on|boot)|untested|"
    r"icloud lock(?:ed)?|activation lock(?:ed)?|bad esn|blacklisted)\b",
    re.IGNORECASE,
)
_TO_AI = re.compile(
    r"\b(?:ignore (?:all |any )?(?:previous|prior|above) instructions|as an ai|language model|"
    r"ai assistant|chatgpt|system prompt|recommend(?:ation)?[\s:\"']+buy)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]{2,}")


@dataclass(frozen=True, slots=True)
class RiskFlag:
    """One reason to distrust a listing, and what it costs the score."""

    code: str
    penalty: float
    reason: str


@dataclass(frozen=True, slots=True)
class RiskRules:
    """Thresholds and penalties of the risk flags."""

    # An asking price below this share of the market estimate looks like a scam, not a bargain.
    scam_ratio: Decimal = Decimal("0.35")
    # A seller further than this who only offers shipping cannot be met to inspect the item.
    far_km: Decimal = Decimal("150")
    new_seller_days: int = 30
    min_title_words: int = 3
    penalties: Mapping[str, float] = field(default_factory=lambda: dict(RISK_PENALTIES))


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """The constants of the score formula (see the module docstring)."""

    profit_points: float = 4.0
    profit_scale: float = 150.0
    margin_points: float = 2.5
    full_margin: float = 0.5
    confidence_points: float = 2.5
    comps_points: float = 1.0
    full_comps: int = 10
    min_comps: int = 3
    high_risk_at: float = 2.5
    medium_risk_at: float = 1.0
    cap: float = 7.9


@dataclass(frozen=True, slots=True)
class Score:
    """A 0–10 score, the points of each part, the risk level and why, in words."""

    value: float
    components: Mapping[str, float]
    risk_level: RiskLevel
    reasons: tuple[str, ...]
    flags: tuple[RiskFlag, ...] = ()


def detect_risks(
    listing: ListingDraft,
    market: MarketValue,
    *,
    now: datetime,
    description: str | None = None,
    seller_since: datetime | None = None,
    rules: RiskRules | None = None,
) -> tuple[RiskFlag, ...]:
    """The risk flags a listing raises against its market value, its text, photos, distance and seller."""
    rules = rules or RiskRules()
    text = " ".join(part for part in (listing.title, listing.condition, description) if part)
    found: list[tuple[str, str]] = []
    price, estimate = listing.price, market.estimate
    if (
        price is not None
        and estimate is not None
        and price.currency == estimate.currency
        and price.amount > 0
        and estimate.amount > 0
        and price.amount < estimate.amount * rules.scam_ratio
    ):
        share = price.amount / estimate.amount
        found.append(("price_far_below_market", f"asks {share:.0%} of market value {estimate}: scam pattern"))
    if match := _FOR_PARTS.search(text):
        found.append(("for_parts", f"says {match.group(0)!r}: sold for parts or not working"))
    if (
        listing.distance_km is not None
        and listing.distance_km > rules.far_km
        and listing.shipping is not None
    ):
        found.append(("shipping_far", f"{listing.distance_km} km away, shipping only: no inspection"))
    if not listing.image_urls:
        found.append(("no_photos", "no photos"))
    if seller_since is not None and now - seller_since < timedelta(days=rules.new_seller_days):
        found.append(("new_seller", f"seller account younger than {rules.new_seller_days} days"))
    if match := _TO_AI.search(text):
        found.append(("addressed_to_ai", f"text addressed to an AI: {match.group(0)!r}"))
    if len(_WORD.findall(listing.title)) < rules.min_title_words:
        found.append(("vague_title", f"vague title {listing.title!r}"))
    return tuple(RiskFlag(code, rules.penalties.get(code, 1.0), reason) for code, reason in found)


def score(
    profit: ProfitEstimate,
    confidence: float,
    risks: Sequence[RiskFlag],
    *,
    n_comps: int,
    weights: ScoreWeights | None = None,
) -> Score:
    """The 0–10 profit score of a listing (formula in the module docstring)."""
    w = weights or ScoreWeights()
    if not 0.0 <= confidence <= 1.0:
        raise InvalidInput(f"confidence must be within 0–1, got {confidence}")
    net = float(profit.net_profit.amount)
    margin = float(profit.margin) if profit.margin is not None else 0.0
    penalty = sum((flag.penalty for flag in risks), 0.0)
    components = {
        "profit": w.profit_points * (1 - math.exp(-net / w.profit_scale)) if net > 0 else 0.0,
        "margin": w.margin_points * min(max(margin / w.full_margin, 0.0), 1.0),
        "confidence": w.confidence_points * confidence,
        "comps": w.comps_points * min(max(n_comps, 0), w.full_comps) / w.full_comps,
        "risk": -penalty,
    }
    components = {name: round(points, 2) for name, points in components.items()}
    level: RiskLevel = "low"
    if penalty >= w.high_risk_at or any(flag.code in SEVERE for flag in risks):
        level = "high"
    elif penalty >= w.medium_risk_at:
        level = "medium"

    reasons = [
        f"net profit {profit.net_profit.rounded()}: {components['profit']}/{w.profit_points}",
        f"margin {margin:.1%}: {components['margin']}/{w.margin_points}",
        f"confidence {confidence:.2f}: {components['confidence']}/{w.confidence_points}",
        f"{n_comps} comps: {components['comps']}/{w.comps_points}",
        *(f"risk {flag.code} (−{flag.penalty}): {flag.reason}" for flag in risks),
    ]
    value = min(max(sum(components.values()), 0.0), 10.0)
    if value > w.cap and (level == "high" or n_comps < w.min_comps):
        why = "high risk" if level == "high" else f"fewer than {w.min_comps} comps"
        reasons.append(f"capped at {w.cap}: {why}")
        value = w.cap
    return Score(round(value, 2), components, level, tuple(reasons), tuple(risks))


def route(score: Score | float, *, buy_at: float = BUY_AT, review_at: float = REVIEW_AT) -> Route:
    """The seed's routing: buy workflow from `buy_at`, human review from `review_at`, else skip.

    A high-risk score (the scam pattern, or risk penalties of `high_risk_at` and more) goes to a person at
    best, never straight to the buy workflow, whatever the thresholds.
    """
    if review_at > buy_at:
        raise InvalidInput(f"review threshold {review_at} is above the buy threshold {buy_at}")
    value = score.value if isinstance(score, Score) else score
    if isinstance(score, Score) and score.risk_level == "high":
        value = min(value, review_at)
    if value >= buy_at:
        return "buy"
    if value >= review_at:
        return "review"
    return "skip"
