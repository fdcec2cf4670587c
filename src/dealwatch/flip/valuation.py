"""Valuation from comparable sold items: what an item would resell for, an 80% interval, the comps it
rests on and a confidence; or, with too few comps, no estimate and the reason why.

`value` takes the CompIndex's best matches for the item and keeps those priced in the item's currency
(or convertible by rates the caller gives) and sold within the window before `now`; when enough of
them share the item's model number, only those. Each comp's price is moved to the item's condition
by factors learned from the pool (defaults where the pool cannot tell), prices beyond the 1.5 x IQR
fence are dropped, and the estimate is the median weighted by similarity and recency (a half-life),
shrunk toward the category+brand prior by as much as the comps leave it uncertain. The interval is
the comps' weighted 10th-90th percentile spread, never narrower than the spread one model's sales
typically show in this pool, and widened for small samples (Student t, 1 + 1/n). Condition factors,
priors and that typical spread are learned once per CompIndex (`pool_stats`).

Statistics run on floats in log-price space; prices become Money (Decimal) again at the edges.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.matching import (
    FOR_PARTS,
    LIKE_NEW,
    NEW,
    USED,
    CompIndex,
    ItemQuery,
    Match,
    condition_grade,
)

# Price of each grade relative to "used", in log space, before the pool says otherwise.
DEFAULT_CONDITION_FACTORS = {
    NEW: math.log(1.35),
    LIKE_NEW: math.log(1.2),
    USED: 0.0,
    FOR_PARTS: math.log(0.4),
}
# A learned condition factor counts as this many groups' worth of the default (shrinkage).
_FACTOR_PRIOR_GROUPS = 5
# Below this many comps a category(+brand) group is too thin to be a prior; the next coarser one is used.
_PRIOR_MIN = 5
# Spread (log) of one model's sales around their median when the pool cannot tell, and how many
# comps' worth it weighs against the comps' own spread.
_TYPICAL_SPREAD, _TYPICAL_WEIGHT = 0.25, 2.0
# Model-number groups needed to learn the typical spread; fewer count as that many of the default.
_SPREAD_GROUPS = 5
# A category+brand's items differ by at least this much (log): a group of look-alike cheap items
# must not pass for a tight prior on a dearer one.
_PRIOR_MIN_SPREAD = 0.5
_FENCE = 1.5
# The fence never gets narrower than this (log) IQR: identical comps would otherwise fence a cent off.
_MIN_IQR = 0.1
_Z80 = 1.2815515655446004


@dataclass(frozen=True, slots=True)
class Valuation:
    """What comps say an item resells for; `estimate` is None (and `reason` says why) when they can't."""

    estimate: Money | None
    low: Money | None
    high: Money | None
    comps_used: tuple[Match, ...]
    n_comps: int
    confidence: float
    # "model number" (every comp shares the item's model number), "title" (fuzzy title matches) or "none".
    method: str
    reason: str | None = None
    # How much of the estimate is the category(+brand) prior rather than the comps (0-1).
    prior_weight: float = 0.0

    @property
    def valued(self) -> bool:
        """True when the comps gave an estimate."""
        return self.estimate is not None


@dataclass(frozen=True, slots=True)
class Prior:
    """Log-price median and variance of one category(+brand) group of the pool."""

    median: float
    variance: float
    n: int


@dataclass(frozen=True)
class PoolStats:
    """What valuation learns once from a whole pool: per-comp numbers, priors and condition factors."""

    log_price: np.ndarray
    # Epoch seconds of each sale; NaN when undated.
    sold_ts: np.ndarray
    grade: tuple[str | None, ...]
    currency: tuple[str, ...]
    priors: Mapping[tuple[str, str | None, str | None], Prior]
    # Log price of each grade relative to "used".
    condition_factors: Mapping[str, float]
    # How far (log) one model's sales spread around their median, conditions evened out.
    typical_spread: float = 0.25

    @classmethod
    def learn(cls, index: CompIndex) -> PoolStats:
        """Learn priors and condition factors from every comp in `index`."""
        comps = index.comps
        log_price = np.log(np.array([float(c.price.amount) for c in comps], dtype=float))
        sold_ts = np.array([c.sold_at.timestamp() if c.sold_at else math.nan for c in comps], dtype=float)
        grade = tuple(condition_grade(c.condition, c.title) for c in comps)
        currency = tuple(c.price.currency for c in comps)
        keys = [index.keys(i) for i in range(len(comps))]
        groups: defaultdict[tuple[str, str | None, str | None], list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            for group in {
                (currency[i], key.category, key.brand),
                (currency[i], key.category, None),
                (currency[i], None, key.brand),
                (currency[i], None, None),
            }:
                groups[group].append(i)
        priors = {
            group: Prior(float(np.median(log_price[ids])), float(np.var(log_price[ids])), len(ids))
            for group, ids in groups.items()
        }
        by_model: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        by_brand: defaultdict[tuple[str, str | None, str | None], list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            if key.models:
                by_model[(currency[i], min(key.models))].append(i)
            by_brand[(currency[i], key.category, key.brand)].append(i)
        factors = (
            _condition_factors(list(by_model.values()), log_price, grade)
            or _condition_factors(list(by_brand.values()), log_price, grade)
            or dict(DEFAULT_CONDITION_FACTORS)
        )
        spread = _typical_spread(list(by_model.values()), log_price, grade, factors)
        return cls(log_price, sold_ts, grade, currency, priors, factors, spread)

    def prior(self, currency: str, category: str | None, brand: str | None) -> Prior | None:
        """The narrowest prior with enough comps: category+brand, category, brand, then the whole pool."""
        narrower: list[tuple[str, str | None, str | None]] = []
        if category and brand:
            narrower.append((currency, category, brand))
        if category:
            narrower.append((currency, category, None))
        if brand:
            narrower.append((currency, None, brand))
        for group in narrower:
            found = self.priors.get(group)
            if found is not None and found.n >= _PRIOR_MIN:
                return found
        return self.priors.get((currency, None, None))


def _condition_factors(
    groups: list[list[int]], log_price: np.ndarray, grade: tuple[str | None, ...]
) -> dict[str, float] | None:
    """Each grade's median log-price gap to "used" within groups holding both; None if too few groups."""
    gaps: defaultdict[str, list[float]] = defaultdict(list)
    for ids in groups:
        by_grade: defaultdict[str, list[float]] = defaultdict(list)
        for i in ids:
            name = grade[i]
            if name is not None:
                by_grade[name].append(float(log_price[i]))
        if USED not in by_grade or len(by_grade) < 2:
            continue
        used = float(np.median(by_grade[USED]))
        for name, prices in by_grade.items():
            if name != USED:
                gaps[name].append(float(np.median(prices)) - used)
    if sum(len(g) for g in gaps.values()) < _FACTOR_PRIOR_GROUPS:
        return None
    factors = {}
    for name, default in DEFAULT_CONDITION_FACTORS.items():
        seen = gaps.get(name, [])
        learned = float(np.median(seen)) if seen else default
        factors[name] = (len(seen) * learned + _FACTOR_PRIOR_GROUPS * default) / (
            len(seen) + _FACTOR_PRIOR_GROUPS
        )
    # Better condition never sells for less.
    factors[LIKE_NEW] = max(factors[LIKE_NEW], 0.0)
    factors[NEW] = max(factors[NEW], factors[LIKE_NEW])
    factors[FOR_PARTS] = min(factors[FOR_PARTS], 0.0)
    return factors


def _typical_spread(
    groups: list[list[int]],
    log_price: np.ndarray,
    grade: tuple[str | None, ...],
    factors: Mapping[str, float],
) -> float:
    """The median robust spread (1.4826 x MAD) of log prices within model groups, moved to "used"."""
    spreads = []
    for ids in groups:
        if len(ids) >= 3:
            prices = np.array([log_price[i] - factors.get(grade[i] or USED, 0.0) for i in ids])
            spreads.append(1.4826 * float(np.median(np.abs(prices - np.median(prices)))))
    learned = float(np.median(spreads)) if spreads else _TYPICAL_SPREAD
    return (len(spreads) * learned + _SPREAD_GROUPS * _TYPICAL_SPREAD) / (len(spreads) + _SPREAD_GROUPS)


_STATS: weakref.WeakKeyDictionary[CompIndex, PoolStats] = weakref.WeakKeyDictionary()


def pool_stats(index: CompIndex) -> PoolStats:
    """The PoolStats of `index`, learned on first use and kept while the index lives."""
    stats = _STATS.get(index)
    if stats is None:
        stats = _STATS[index] = PoolStats.learn(index)
    return stats


def value(
    query: ItemQuery,
    index: CompIndex,
    *,
    now: datetime,
    window_days: int = 90,
    min_comps: int = 3,
    max_comps: int = 30,
    min_similarity: float = 0.55,
    half_life_days: float = 30.0,
    rates: Mapping[str, Decimal] | None = None,
) -> Valuation:
    """Value `query` from the comps in `index` sold in the `window_days` before `now`; see the module doc.

    `rates` maps another currency to the query currency's units per unit; comps in a currency
    without a rate are skipped. Fewer than `min_comps` usable comps give a Valuation without estimate.
    """
    if now.utcoffset() is None:
        raise InvalidInput(f"naive datetime given as now: {now!r}; use tz-aware UTC")
    if min_comps < 1 or max_comps < min_comps:
        raise InvalidInput(f"need 1 <= min_comps <= max_comps, got {min_comps} and {max_comps}")
    stats = pool_stats(index)
    matches = index.candidates(query, k=2 * max_comps, min_similarity=min_similarity)
    now_ts, window = now.timestamp(), window_days * 86400.0
    skipped: Counter[str] = Counter()
    usable: list[tuple[Match, float, float]] = []  # (match, log price in the query's currency, age s)
    for match in matches:
        i = match.position
        shift = 0.0
        if stats.currency[i] != query.currency:
            rate = (rates or {}).get(stats.currency[i])
            if rate is None or rate <= 0:
                skipped[f"in {stats.currency[i]}"] += 1
                continue
            shift = math.log(float(rate))
        sold = float(stats.sold_ts[i])
        # An undated comp counts as sold half a window ago.
        age = window / 2 if math.isnan(sold) else now_ts - sold
        if age < 0:
            skipped["sold after now"] += 1
        elif age > window:
            skipped[f"older than {window_days} days"] += 1
        else:
            usable.append((match, float(stats.log_price[i]) + shift, age))
    if sum(m.model_match for m, _, _ in usable) >= min_comps:
        usable = [u for u in usable if u[0].model_match]
    usable = usable[:max_comps]
    wanted = condition_grade(query.condition, query.title)
    prices = np.array([y + _condition_shift(wanted, stats, m) for m, y, _ in usable], dtype=np.float64)
    keep = _inside_fence(prices)
    skipped["outliers"] += int(len(prices) - keep.sum())
    usable = [u for u, kept in zip(usable, keep.tolist(), strict=True) if kept]
    prices = prices[keep]
    if len(usable) < min_comps:
        return _not_valued(usable, min_comps, len(matches), skipped)
    similarity = np.array([m.similarity for m, _, _ in usable])
    closeness = np.clip((similarity - min_similarity) / (1 - min_similarity), 0.05, 1.0)
    recency = 0.5 ** (np.array([age for _, _, age in usable]) / (half_life_days * 86400.0))
    weights = closeness**2 * recency
    return _estimate(query, index, stats, usable, prices, weights)


def _condition_shift(wanted: str | None, stats: PoolStats, match: Match) -> float:
    """Log-price move from the comp's condition to the `wanted` one (none when either is unknown)."""
    theirs = stats.grade[match.position]
    if wanted is None or theirs is None:
        return 0.0
    return stats.condition_factors[wanted] - stats.condition_factors[theirs]


def _inside_fence(prices: np.ndarray) -> np.ndarray:
    """Which log prices lie inside the 1.5 x IQR fence (all of them below 4 comps)."""
    if len(prices) < 4:
        return np.ones(len(prices), dtype=bool)
    ordered = np.sort(prices)
    # Linear interpolation between order statistics, as numpy.quantile does by default.
    q1, q3 = np.interp([0.25, 0.75], np.linspace(0, 1, len(ordered)), ordered)
    iqr = max(float(q3 - q1), _MIN_IQR)
    return (prices >= q1 - _FENCE * iqr) & (prices <= q3 + _FENCE * iqr)


def _not_valued(
    usable: list[tuple[Match, float, float]], min_comps: int, matched: int, skipped: Counter[str]
) -> Valuation:
    details = ", ".join(f"{n} {why}" for why, n in skipped.items() if n)
    reason = f"{len(usable)} comps, need {min_comps}" + (
        f" ({matched} matched; {details})" if details else f" ({matched} matched)"
    )
    return Valuation(None, None, None, tuple(m for m, _, _ in usable), len(usable), 0.0, "none", reason)


def _estimate(
    query: ItemQuery,
    index: CompIndex,
    stats: PoolStats,
    usable: list[tuple[Match, float, float]],
    prices: np.ndarray,
    weights: np.ndarray,
) -> Valuation:
    q10, median, q90 = _weighted_quantiles(prices, weights, (0.1, 0.5, 0.9))
    n_eff = float(weights.sum() ** 2 / (weights**2).sum())
    spread = 1.4826 * _weighted_quantiles(np.abs(prices - median), weights, (0.5,))[0]
    typical = stats.typical_spread
    variance = (n_eff * spread**2 + _TYPICAL_WEIGHT * typical**2) / (n_eff + _TYPICAL_WEIGHT)
    # The sample median's variance is pi/2 times the mean's.
    median_variance = math.pi / 2 * variance / n_eff
    keys = index.query_keys(query)
    prior = stats.prior(query.currency, keys.category, keys.brand)
    prior_weight = 0.0
    estimate = median
    # A prior made of little more than these very comps would only count them twice.
    if prior is not None and prior.n > len(usable):
        prior_weight = median_variance / (median_variance + max(prior.variance, _PRIOR_MIN_SPREAD**2))
        estimate = (1 - prior_weight) * median + prior_weight * prior.median
    widen = _t80(max(n_eff - 1, 1.0)) / _Z80 * math.sqrt(1 + 1 / n_eff)
    floor = _Z80 * math.sqrt(variance)
    below = max(median - q10, floor) * widen
    above = max(q90 - median, floor) * widen
    low, high = estimate - below, estimate + above
    matches = tuple(m for m, _, _ in usable)
    closeness = float(np.dot([m.similarity for m in matches], weights) / weights.sum())
    # More (effective) comps, closer matches and a narrower interval each raise confidence.
    confidence = n_eff / (n_eff + 2) * closeness / (1 + (high - low))
    method = "model number" if all(m.model_match for m in matches) else "title"
    return Valuation(
        estimate=_money(estimate, query.currency),
        low=_money(low, query.currency),
        high=_money(high, query.currency),
        comps_used=matches,
        n_comps=len(matches),
        confidence=round(confidence, 3),
        method=method,
        prior_weight=round(prior_weight, 3),
    )


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Quantiles of `values` under `weights`, interpolated between the weights' midpoints."""
    order = np.argsort(values)
    w = weights[order]
    midpoints = (np.cumsum(w) - w / 2) / w.sum()
    return np.interp(qs, midpoints, values[order]).tolist()


def _t80(df: float) -> float:
    """Student t's 90th percentile (two-sided 80%) for `df` degrees of freedom (Cornish-Fisher)."""
    z = _Z80
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def _money(log_amount: float, currency: str) -> Money:
    return Money(Decimal(f"{math.exp(log_amount):.6f}"), currency).rounded()
