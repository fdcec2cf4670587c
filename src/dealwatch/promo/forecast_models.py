"""Next-sale models: calendar, cadence, seasonal, alternating and `dealwatch` (backtest-selected), calibrated.

Every model here is a *point rule* (history + origin day -> first sale start after the origin) wrapped
by one calibration step: the rule is replayed at rolling origins over the store's own past (every 7 days
over the last two years, each origin seeing only the days before it), and the residuals of those replays
give the 80% interval (conformal, adapted to how the store's replayed bands held) and the probabilities
of a start within 7 and 30 days. `dealwatch` replays every rule the same way and judges them per sale
start, not per origin: given enough starts it uses the rule that replayed best; short of that it keeps
the alternating-renewal rule (the current sale or rest runs its typical length; the seed's average gap
where that can't answer) unless another beat it by far, or hit a few starts too nearly to be luck (a
rule that could not be tried on the store's own starts yet, such as last year's sales before a year was
watched, is judged on its similar stores' starts). Stores with under two starts follow the prior pooled
from similar stores (`forecast_prior`). Unknown days (flag None) are missing data: they never count as
"no sale", gaps spanning them are not used as cadence evidence, and event windows mostly unknown are not
scored.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING

from dealwatch.promo.forecast import DailyFlags, Forecast
from dealwatch.promo.forecast_events import EVENTS, event_days, events_in_year

#: How far back the rolling-origin replay reaches, and how often it issues a forecast.
BACKTEST_DAYS = 730
BACKTEST_STEP = 7
#: Origins whose next start is further than this are scored as "no sale in the horizon".
OUTCOME_HORIZON = 180
#: Fewer replayed outcomes (or waits) than this and the interval falls back to a wider rule of thumb.
MIN_RESIDUALS = 6
#: The stated coverage of the forecast interval.
COVERAGE = 0.8
#: However well a store's past bands held, its band still aims to hold at least this share.
MIN_ADAPTED_SHARE = 0.5
#: How far a band moves toward COVERAGE from how its replays held: half the gap (a damped step, since
#: bands of whole days can hold 72% or 90% with nothing between).
ADAPT_STEP = 0.5
#: The store's renewal probability counts as this many replayed sale starts.
PROBABILITY_PRIOR = 10
#: Days after which a replayed start weighs half as much in the interval.
BAND_HALF_LIFE = 365
#: Half-width of the window around an event in which a sale start counts as "for" that event.
EVENT_WINDOW = 10
#: An event further past the last start than this many times the longest gap is not the next sale.
LONGEST_GAP_FACTOR = 1.25
#: Days after which a year's event hit or miss weighs half as much in the store's affinity.
AFFINITY_HALF_LIFE = 730
#: A store's affinity to an event is shrunk toward this share, with the weight of half a recent year.
EVENT_PRIOR = 0.1
EVENT_PRIOR_WEIGHT = 0.5

if TYPE_CHECKING:
    from dealwatch.promo.forecast_prior import StorePrior

PointRule = Callable[["History", int], int | None]


@dataclass(slots=True)
class History:
    """A store's daily flags up to `today`, indexed by date ordinal for fast replays."""

    base: int
    today: int
    starts: list[int]
    runs: list[int]
    known_prefix: list[int]
    _gaps: list[int] = field(default_factory=list)
    _gap_ok: list[bool] = field(default_factory=list)
    _events: dict[str, EventYears] | None = None

    @classmethod
    def from_flags(cls, flags: DailyFlags, today: date) -> History:
        end = today.toordinal()
        known = [(d.toordinal(), f) for d, f in flags if d <= today]
        if any(a[0] >= b[0] for a, b in itertools.pairwise(known)):
            known = sorted(dict(known).items(), key=itemgetter(0))
        base = known[0][0] if known else end
        status: list[bool | None] = [None] * (end - base + 1)
        for ordinal, flag in known:
            status[ordinal - base] = flag
        prefix = [0]
        starts: list[int] = []
        runs: list[int] = []
        previous: bool | None = None
        for offset, flag in enumerate(status):
            prefix.append(prefix[-1] + (flag is not None))
            if flag is None:
                continue
            if flag and previous is False:
                starts.append(base + offset)
                runs.append(1)
            elif flag and previous and runs:
                runs[-1] += 1
            previous = flag
        history = cls(base, end, starts, runs, prefix)
        history._index_gaps()
        return history

    def _index_gaps(self) -> None:
        for a, b in zip(self.starts, self.starts[1:], strict=False):
            self._gaps.append(b - a)
            # A gap that spans unknown days may hide a start: it is not cadence evidence.
            self._gap_ok.append(self.known(a, b) >= 0.9)

    def known(self, first: int, last: int) -> float:
        """Share of days in [first, last] (ordinals) whose flag is known."""
        lo, hi = max(first, self.base), min(last, self.today)
        if hi < lo:
            return 0.0
        count = self.known_prefix[hi - self.base + 1] - self.known_prefix[lo - self.base]
        return count / (last - first + 1)

    def count_before(self, origin: int) -> int:
        """How many starts fall on or before `origin`."""
        return bisect_right(self.starts, origin)

    def gaps_before(self, origin: int) -> list[int]:
        """Gaps between starts up to `origin`, only those fully observed, oldest first."""
        k = self.count_before(origin)
        return [g for g, ok in zip(self._gaps[: max(0, k - 1)], self._gap_ok, strict=False) if ok]

    def event_hits(self) -> dict[str, EventYears]:
        """Per event, the years with a start in the ±EVENT_WINDOW window (a hit, known from that start
        on) or with the window over by `today` and no start (a miss)."""
        if self._events is None:
            rows: dict[str, list[tuple[int, int, bool, int | None]]] = {name: [] for name in EVENTS}
            first_year = date.fromordinal(self.base).year
            last_year = date.fromordinal(self.today).year
            for year in range(first_year, last_year + 1):
                for name, day in events_in_year(year):
                    lo, hi = day - EVENT_WINDOW, day + EVENT_WINDOW
                    i = bisect_left(self.starts, lo)
                    first = self.starts[i] if i < len(self.starts) and self.starts[i] <= hi else None
                    if first is not None:  # a hit is known from its first start on
                        rows[name].append((day, first, True, first - day))
                    elif hi <= self.today:  # a miss only once the whole window is over
                        rows[name].append((day, hi, self.known(lo, hi) >= 0.6, None))
            self._events = {name: EventYears.build(found, self.base) for name, found in rows.items()}
        return self._events

    def median_run(self) -> int | None:
        """Typical sale length in days (median run of consecutive sale days)."""
        return int(_median([float(r) for r in self.runs])) if self.runs else None


@dataclass(frozen=True, slots=True)
class EventYears:
    """One event's years in a store's history, oldest first, with running sums over the observed ones.

    The running sums of 2**((day - base) / AFFINITY_HALF_LIFE) let `affinity` weigh every year by its
    age at any origin in O(log n), which keeps the calendar rule cheap inside the replays.
    """

    days: list[int]  # every year's event day, observed or not
    ends: list[int]  # observed years only: the day the hit or miss became known
    offsets: list[int | None]  # observed years only: first start in the window - event day, None: miss
    weight: list[float]  # running sums, one longer than `ends`
    hit_weight: list[float]
    base: int

    @classmethod
    def build(cls, rows: list[tuple[int, int, bool, int | None]], base: int) -> EventYears:
        observed = [(day, known, offset) for day, known, seen, offset in rows if seen]
        weight, hit_weight = [0.0], [0.0]
        for day, _, offset in observed:
            growth = 2.0 ** ((day - base) / AFFINITY_HALF_LIFE)
            weight.append(weight[-1] + growth)
            hit_weight.append(hit_weight[-1] + (growth if offset is not None else 0.0))
        return cls(
            [day for day, _, _, _ in rows],
            [known for _, known, _ in observed],
            [offset for _, _, offset in observed],
            weight,
            hit_weight,
            base,
        )

    def affinity(self, origin: int) -> tuple[float, list[int]]:
        """Recency-weighted share of the years over by `origin` with a start near the event (shrunk
        toward EVENT_PRIOR), and those starts' offsets."""
        n = bisect_right(self.ends, origin)
        decay = 2.0 ** (-(origin - self.base) / AFFINITY_HALF_LIFE)
        total, hits = self.weight[n] * decay, self.hit_weight[n] * decay
        affinity = (hits + EVENT_PRIOR * EVENT_PRIOR_WEIGHT) / (total + EVENT_PRIOR_WEIGHT)
        return affinity, [o for o in self.offsets[:n] if o is not None] if hits else []


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    pairs = sorted(pairs)
    half = sum(w for _, w in pairs) / 2
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


# -- point rules ------------------------------------------------------------------------------------


def interval_point(history: History, origin: int) -> int | None:
    """The seed's rule: last start + mean gap, stepped past the origin."""
    k = history.count_before(origin)
    if k < 2:
        return None
    starts = history.starts
    step = max(1, round((starts[k - 1] - starts[0]) / (k - 1)))
    predicted = starts[k - 1] + step
    if predicted <= origin:
        predicted += step * ((origin - predicted) // step + 1)
    return predicted


def cadence_point(history: History, origin: int) -> int | None:
    """Renewal rule: conditional median of recent-weighted gaps given the time since the last start.

    Overdue stores (no recent gap that long) are assumed to have skipped a cycle: the next multiple
    of the typical gap. Monthly stores follow their day-of-month or n-th-weekday rule, and starts
    that keep to one weekday are snapped to it.
    """
    k = history.count_before(origin)
    if k < 2:
        return None
    last = history.starts[k - 1]
    gaps = history.gaps_before(origin)[-24:]
    if not gaps:
        gaps = [last - history.starts[k - 2]]
    n = len(gaps)
    weighted = [(float(g), 0.5 ** ((n - 1 - i) / 6)) for i, g in enumerate(gaps)]
    period = max(1.0, _weighted_median(weighted))
    recent = history.starts[max(0, k - 8) : k]
    if k >= 4 and 26 <= period <= 35:
        monthly = _monthly_point(recent, origin)
        if monthly is not None:
            return monthly
    elapsed = origin - last
    longer = [(g, w) for g, w in weighted if g > elapsed]
    if longer and sum(w for _, w in longer) >= 0.15 * sum(w for _, w in weighted):
        predicted = last + round(_weighted_median(longer))
    else:
        predicted = last + round(period) * (math.floor(elapsed / period) + 1)
    predicted = _snap_weekday(recent, predicted, origin) if period >= 5 else predicted
    return max(predicted, origin + 1)


def _snap_weekday(recent: list[int], predicted: int, origin: int) -> int:
    weekdays = Counter(s % 7 for s in recent)
    weekday, count = weekdays.most_common(1)[0]
    if len(recent) < 3 or count / len(recent) < 0.7:
        return predicted
    shift = (weekday - predicted % 7 + 3) % 7 - 3
    snapped = predicted + shift
    return snapped if snapped > origin else snapped + 7


def _monthly_point(recent: list[int], origin: int) -> int | None:
    days = [date.fromordinal(s) for s in recent]
    weekday, w_count = Counter(d.weekday() for d in days).most_common(1)[0]
    nth, n_count = Counter((d.day - 1) // 7 + 1 for d in days).most_common(1)[0]
    doms = sorted(d.day for d in days)
    today = date.fromordinal(origin)
    candidates: list[date] = []
    for step in range(3):
        year, month = today.year + (today.month + step - 1) // 12, (today.month + step - 1) % 12 + 1
        if w_count / len(days) >= 0.75 and n_count / len(days) >= 0.75 and nth <= 4:
            first = date(year, month, 1)
            candidates.append(first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1)))
        elif doms[-1] - doms[0] <= 3 or doms[len(doms) * 3 // 4] - doms[len(doms) // 4] <= 1:
            day = min(int(_median([float(d) for d in doms])), 28)
            candidates.append(date(year, month, day))
        else:
            return None
    return next(c.toordinal() for c in candidates if c.toordinal() > origin)


def calendar_point(history: History, origin: int) -> int | None:
    """Earliest upcoming retail event this store keeps running a sale for, at its usual offset.

    Affinity = recency-weighted share of observed years with a start within ±10 days of the event
    (half-life AFFINITY_HALF_LIFE), shrunk toward EVENT_PRIOR; an event is kept when the store ran a
    sale for it in at least two years, affinity >= 0.5 and clearly above the chance of a start in
    any 21-day window for a store this frequent. Sales between events (starts outside every kept
    event's window, at least three in the last year) are followed too: the earlier of the two wins.
    None when no event is kept.
    """
    k = history.count_before(origin)
    chance = 0.0
    if k >= 2:
        span = max(1, history.starts[k - 1] - history.starts[0])
        chance = 1 - math.exp(-(2 * EVENT_WINDOW + 1) * (k - 1) / span)
        if chance > 0.6:
            return None
    year = date.fromordinal(origin).year
    best: int | None = None
    kept: list[str] = []
    for name, years in history.event_hits().items():
        affinity, hits = years.affinity(origin)
        if len(hits) < 2 or affinity < max(0.5, chance + 0.25):
            continue
        kept.append(name)
        offset = round(_median([float(h) for h in hits])) if hits else 0
        for candidate_year in (year, year + 1):
            day = event_days(candidate_year)[name]
            predicted = day + offset
            if predicted <= origin:
                continue
            if day - EVENT_WINDOW <= origin and _started_in(history, day - EVENT_WINDOW, origin):
                continue  # this year's sale for the event already began
            if best is None or predicted < best:
                best = predicted
            break
    if best is not None:
        between = _between_events(history, origin, kept)
        if between is not None:
            best = min(best, between)
        # A store that never went this long without a sale is not expected to now: the event is
        # too far off to be its next sale.
        gaps = history.gaps_before(origin)
        if gaps and best - history.starts[k - 1] > LONGEST_GAP_FACTOR * max(gaps):
            return None
    return best


def _between_events(history: History, origin: int, kept: list[str]) -> int | None:
    """The average-gap rule over last year's starts that fall outside every kept event's window."""
    windows = [
        (day - EVENT_WINDOW, day + EVENT_WINDOW)
        for name, years in history.event_hits().items()
        if name in kept
        for day in years.days
        if origin - 365 - EVENT_WINDOW < day <= origin + EVENT_WINDOW
    ]
    k = history.count_before(origin)
    others = [
        s for s in history.starts[:k] if s > origin - 365 and not any(lo <= s <= hi for lo, hi in windows)
    ]
    if len(others) < 3:
        return None
    step = max(1, round((others[-1] - others[0]) / (len(others) - 1)))
    predicted = others[-1] + step
    if predicted <= origin:
        predicted += step * ((origin - predicted) // step + 1)
    return predicted


def seasonal_point(history: History, origin: int) -> int | None:
    """Same time last year: the earliest of last year's starts, carried a year forward, after `origin`.

    A start near a retail event moves with the event (Easter, Black Friday and Prime-Day-like dates
    shift from year to year); any other start moves 364 days, keeping its weekday. A carried start
    whose sale already began this year (a start within EVENT_WINDOW days before `origin`) is skipped.
    None unless most of the year before `origin` is known.
    """
    if history.known(origin - 364, origin) < 0.95:
        return None
    k = history.count_before(origin)
    lo = bisect_left(history.starts, origin - 365 - EVENT_WINDOW, 0, k)
    best: int | None = None
    for start in history.starts[lo:k]:
        carried = _carry_year(history, start, origin)
        if carried <= origin or (best is not None and carried >= best):
            continue
        if carried - EVENT_WINDOW <= origin and _started_in(history, carried - EVENT_WINDOW, origin):
            continue
        best = carried
    return best


def _carry_year(history: History, start: int, origin: int) -> int:
    """`start` a year on: with its nearest retail event (within EVENT_WINDOW days) at the store's
    median offset to that event over the years seen by `origin`, else 364 days on."""
    event = _nearest_event(start)
    if event is None:
        return start + 364
    name, day, event_year = event
    offsets = history.event_hits()[name].affinity(origin)[1] or [start - day]
    return event_days(event_year + 1)[name] + round(_median([float(o) for o in offsets]))


@lru_cache(maxsize=65536)
def _nearest_event(day: int) -> tuple[str, int, int] | None:
    """The retail event nearest `day` within EVENT_WINDOW days: (name, its date ordinal, its year)."""
    year = date.fromordinal(day).year
    near = [
        (abs(day - event_day), name, event_day, event_year)
        for event_year in (year - 1, year, year + 1)
        for name, event_day in events_in_year(event_year)
        if abs(day - event_day) <= EVENT_WINDOW
    ]
    return min(near)[1:] if near else None


def alternating_point(history: History, origin: int) -> int | None:
    """Alternating renewal: a sale lasts as long as the store's sales last, then the store rests as long
    as it rests, each given how long the current one has gone on.

    On sale at the origin: the median length of the store's past sales longer than this one so far,
    then its median rest. Resting: its median rest among those longer than this rest so far. Sales and
    rests that span unknown days are not used; with none of either (or a rest past every one seen) the
    rule has no answer.
    """
    k = history.count_before(origin)
    if k < 2:
        return None
    starts, runs, observed = history.starts[:k], history.runs[:k], history._gap_ok[: k - 1]
    rests = [b - (a + r) for a, r, b, ok in zip(starts, runs, starts[1:], observed, strict=False) if ok]
    rests = [rest for rest in rests if rest > 0]
    lengths = [r for r, ok in zip(runs, observed, strict=False) if ok]  # sales before the latest one
    if not rests or not lengths:
        return None
    last, run = starts[-1], runs[-1]
    if last + run - 1 >= origin:  # on sale at the origin (as far as the origin can know)
        so_far = origin - last + 1
        longer = [float(r) for r in lengths if r > so_far]
        ends = last + (_median(longer) if longer else so_far)
        return max(origin + 1, round(ends + _median([float(rest) for rest in rests])))
    rested = last + run  # the first day off
    longer = [float(rest) for rest in rests if rested + rest > origin]
    return max(origin + 1, round(rested + _median(longer))) if longer else None


def or_interval(rule: PointRule) -> PointRule:
    """`rule` where it has an answer, the seed's rule where it has none (no event kept, no year known,
    no sale or rest seen whole)."""

    def point(history: History, origin: int) -> int | None:
        predicted = rule(history, origin)
        return predicted if predicted is not None else interval_point(history, origin)

    return point


calendar_or_interval_point = or_interval(calendar_point)
seasonal_or_interval_point = or_interval(seasonal_point)
alternating_or_interval_point = or_interval(alternating_point)


def _started_in(history: History, first: int, last: int) -> bool:
    return bisect_right(history.starts, last) > bisect_left(history.starts, first)


# -- calibration ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replay:
    """A point rule replayed at past origins: residuals (actual - predicted) and misses."""

    residuals: list[tuple[int, int]]  # (origin, actual - predicted)
    censored: list[int]  # origins with no start within OUTCOME_HORIZON


def replay(history: History, rule: PointRule) -> Replay:
    """Run `rule` every BACKTEST_STEP days over the last BACKTEST_DAYS, each origin seeing only its past."""
    residuals: list[tuple[int, int]] = []
    censored: list[int] = []
    today = history.today
    for back in range(BACKTEST_STEP, BACKTEST_DAYS + 1, BACKTEST_STEP):
        origin = today - back
        if origin - history.base < 28:
            break
        predicted = rule(history, origin)
        if predicted is None:
            continue
        i = bisect_right(history.starts, origin)
        if i < len(history.starts) and history.starts[i] - origin <= OUTCOME_HORIZON:
            residuals.append((origin, history.starts[i] - predicted))
        elif origin + OUTCOME_HORIZON <= today and history.known(origin + 1, today) >= 0.5:
            censored.append(origin)
    return Replay(residuals, censored)


def calibrated_forecast(
    history: History,
    predicted: int | None,
    replayed: Replay,
    *,
    method: str,
    version: str,
    reason: str | None = None,
    prior: StorePrior | None = None,
) -> Forecast:
    """Turn a point prediction and its replayed residuals into a full Forecast.

    The 80% interval is conformal: the shortest band of replayed residuals holding 80% of the sale
    starts they were scored against (each start weighs the same however many origins preceded it,
    older ones less, half-life BAND_HALF_LIFE), with the finite-sample correction. It is then adapted
    to how that same band held up at the replayed origins themselves (each built from the outcomes
    known by then): a store whose bands held 90% aims at 75%, one whose bands held 70% at 85%. That
    corrects the over-coverage of residuals on whole days (a fortnightly store replayed exactly 79%
    of the time must otherwise take its next-nearest residual too) and the under-coverage of stores
    whose errors grew. Replays against fewer than MIN_EVENTS starts say too little; then the waits
    implied by the store's own gaps and its similar stores' (`prior`) give the band. The replays'
    mean error per sale start is the forecast's backtest MAE.
    """
    today = history.today
    duration = history.median_run()
    if predicted is None:
        reason = reason or "no sale start can be predicted from this history"
        return Forecast.without_date(method, len(history.starts), version, reason, duration)
    predicted = max(predicted, today + 1)
    scored = [
        (origin, history.starts[bisect_right(history.starts, origin)], r) for origin, r in replayed.residuals
    ]
    band = _conformal_band(scored, today)
    if band is not None:
        low, high = band
        realized = _replayed_coverage(scored)
        if realized is not None:  # held more (less) than COVERAGE in the past: aim lower (higher)
            low, high = _conformal_band(scored, today, ADAPT_STEP * (COVERAGE - realized)) or band
    else:
        low, high = _fallback_band(history, predicted, prior)
    lower = max(today + 1, predicted + min(0, low))
    upper = max(predicted + max(0, high), lower)
    per_start = [sum(map(abs, group)) / len(group) for group in _by_start(scored).values()]
    return Forecast(
        predicted_date=date.fromordinal(predicted),
        lower=date.fromordinal(lower),
        upper=date.fromordinal(upper),
        prob_7d=_probability(history, predicted, replayed, 7),
        prob_30d=_probability(history, predicted, replayed, 30),
        method=method,
        data_points=len(history.starts),
        model_version=version,
        reason=reason,
        expected_duration=duration,
        backtest_mae=round(sum(per_start) / len(per_start), 2) if per_start else None,
        backtest_starts=len(per_start) or None,
    )


def _conformal_band(
    scored: list[tuple[int, int, int]], today: int, adjust: float = 0.0
) -> tuple[int, int] | None:
    """The shortest residual band holding COVERAGE (+ `adjust`) of the (origin, start, residual)
    replays, each start weighing the same and older ones less; None under MIN_EVENTS starts."""
    by_start = _by_start(scored)
    if len(scored) < MIN_RESIDUALS or len(by_start) < MIN_EVENTS:
        return None
    weighted = [
        (r, 0.5 ** ((today - start) / BAND_HALF_LIFE) / len(group))
        for start, group in by_start.items()
        for r in group
    ]
    share = min(1.0, max(MIN_ADAPTED_SHARE, COVERAGE * (1 + 1 / len(by_start)) + adjust))
    return _shortest_band(weighted, share)


def _by_start(scored: list[tuple[int, int, int]]) -> dict[int, list[int]]:
    """The replayed residuals grouped by the sale start they were scored against."""
    by_start: dict[int, list[int]] = {}
    for _, start, residual in scored:
        by_start.setdefault(start, []).append(residual)
    return by_start


def _replayed_coverage(scored: list[tuple[int, int, int]]) -> float | None:
    """How often the band built at each replayed origin, from the outcomes known by then, held
    that origin's residual (each start one vote); None when too few origins had a band."""
    votes: dict[int, list[bool]] = {}
    for origin, start, residual in scored:
        band = _conformal_band([item for item in scored if item[1] <= origin], origin)
        if band is not None:
            votes.setdefault(start, []).append(band[0] <= residual <= band[1])
    if len(votes) < MIN_EVENTS:
        return None
    return sum(sum(v) / len(v) for v in votes.values()) / len(votes)


def _shortest_band(weighted: list[tuple[int, float]], share: float) -> tuple[int, int]:
    """The narrowest [low, high] of residual values holding `share` of the total weight (all if over 1)."""
    ordered = sorted(weighted)
    total = sum(w for _, w in ordered)
    if share >= 1:
        return ordered[0][0], ordered[-1][0]
    best = (ordered[0][0], ordered[-1][0])
    held, j = 0.0, 0
    for i, (low, _) in enumerate(ordered):
        while j < len(ordered) and held < share * total - 1e-9:
            held += ordered[j][1]
            j += 1
        if held < share * total - 1e-9:
            break
        if ordered[j - 1][0] - low < best[1] - best[0]:
            best = (low, ordered[j - 1][0])
        held -= ordered[i][1]
    return best


def _fallback_band(history: History, predicted: int, prior: StorePrior | None) -> tuple[int, int]:
    """Residual band from waits: the store's gaps longer than the time elapsed, plus its peers'."""
    today = history.today
    elapsed = today - history.starts[-1] if history.starts else 0
    waits = [g - elapsed for g in history.gaps_before(today) if g > elapsed]
    if prior is not None:
        waits += prior.waits(history)
    if len(waits) >= MIN_RESIDUALS:
        ordered = sorted(waits)
        n = len(ordered)
        low = ordered[max(0, math.floor(0.1 * n))]
        high = ordered[min(n - 1, math.ceil(0.9 * n) - 1)]
        return today + low - predicted, today + high - predicted
    gaps = history.gaps_before(today)
    spread = max(3, round(0.5 * _median([float(g) for g in gaps]))) if gaps else 14
    return -spread, spread


def _probability(history: History, predicted: int, replayed: Replay, horizon: int) -> float:
    """P(start within `horizon` days): the replayed errors shifted onto today's prediction.

    Each replayed sale start weighs the same (its origins share one vote), as does each stretch of
    origins that saw no start in the outcome horizon (a miss); the renewal estimate from the
    store's gaps is the prior with the weight of PROBABILITY_PRIOR starts, so thin replays stay near it.
    """
    limit = history.today + horizon
    votes: dict[int, list[bool]] = {}
    for origin, residual in replayed.residuals:
        votes.setdefault(history.starts[bisect_right(history.starts, origin)], []).append(
            predicted + residual <= limit
        )
    for origin in replayed.censored:
        i = bisect_right(history.starts, origin)
        votes.setdefault(history.starts[i] if i < len(history.starts) else -1, []).append(False)
    share = sum(sum(v) / len(v) for v in votes.values())
    prior = _renewal_probability(history, horizon)
    return round((share + PROBABILITY_PRIOR * prior) / (len(votes) + PROBABILITY_PRIOR), 4)


def _renewal_probability(history: History, horizon: int) -> float:
    gaps = history.gaps_before(history.today)
    if not gaps:
        return horizon / (horizon + 60)
    elapsed = history.today - history.starts[-1]
    longer = [g for g in gaps if g > elapsed]
    if not longer:
        return 1 - math.exp(-horizon / (sum(gaps) / len(gaps)))
    return (sum(1 for g in longer if g <= elapsed + horizon) + 0.5) / (len(longer) + 1)


# -- forecasters ------------------------------------------------------------------------------------


class _RuleForecaster:
    name = ""
    version = ""
    rule: PointRule  # set by each subclass, as a staticmethod

    def forecast(self, flags: DailyFlags, today: date, prior: StorePrior | None = None) -> Forecast:
        history = History.from_flags(flags, today)
        return calibrated_forecast(
            history,
            self.rule(history, history.today),
            replay(history, self.rule),
            method=self.name,
            version=self.version,
        )


class CadenceForecaster(_RuleForecaster):
    """Periodic stores: every N days/weeks with jitter, monthly n-th weekday or day of month."""

    name = "cadence"
    version = "cadence-2"
    rule = staticmethod(cadence_point)


class CalendarForecaster(_RuleForecaster):
    """Event-driven stores: per-store affinity and offset to rule-computed retail events."""

    name = "calendar"
    version = "calendar-3"
    rule = staticmethod(calendar_or_interval_point)


class SeasonalForecaster(_RuleForecaster):
    """Stores that repeat last year: its sales a year on, moving with the retail events they kept."""

    name = "seasonal"
    version = "seasonal-2"
    rule = staticmethod(seasonal_or_interval_point)


class AlternatingForecaster(_RuleForecaster):
    """Stores whose sales and rests each have a typical length: the current one's end, then the next."""

    name = "alternating"
    version = "alternating-1"
    rule = staticmethod(alternating_or_interval_point)


#: The rules `dealwatch` chooses between; the first is the anchor it keeps without strong evidence.
CANDIDATES: dict[str, PointRule] = {
    "alternating": alternating_or_interval_point,
    "interval": interval_point,
    "cadence": cadence_point,
    "calendar": calendar_or_interval_point,
    "seasonal": seasonal_or_interval_point,
}
#: With replays scored against at least MIN_EVENTS distinct sale starts, the rule with the lowest
#: recency-weighted replay error is used (the anchor on a tie).
MIN_EVENTS = 4
#: With fewer, another rule replaces the anchor only if, over the starts where the two disagree, its
#: error is at most STRONG_RATIO of the anchor's over at least MIN_STRONG starts,
MIN_STRONG = 2
STRONG_RATIO = 0.5
#: or at most WIN_RATIO of it with every one of those starts replayed within EXACT_DAYS, when that
#: many hits so near would come by luck with a chance under EXACT_ALPHA for a store this frequent
#: (one hit for a store with two sales a year, three for a fortnightly one).
WIN_RATIO = 0.75
EXACT_DAYS = 2
EXACT_ALPHA = 0.05
#: Days after which a replayed sale start weighs half as much in the choice.
SELECT_HALF_LIFE = 180
#: Under this many sale starts of its own, a store is cold: similar stores' prior speaks for it.
MIN_STARTS = 2


@dataclass(frozen=True, slots=True)
class StartErrors:
    """Replays judged per sale start, at the origins every rule answered."""

    starts: list[int]
    means: dict[str, list[float]]  # per rule, its mean absolute error over each start's origins
    differs: dict[str, list[bool]]  # per rule, whether it predicted otherwise than the anchor there


def start_errors(history: History, replays: dict[str, Replay], anchor: str) -> StartErrors:
    """The sale starts the replays were scored against and each rule's errors on them."""
    origins = [{o for o, _ in r.residuals} for r in replays.values()]
    shared = set.intersection(*origins) if origins else set()
    by_start: dict[str, dict[int, list[int]]] = {}
    for name, r in replays.items():
        per_start = by_start.setdefault(name, {})
        for origin, residual in r.residuals:
            if origin in shared:
                per_start.setdefault(history.starts[bisect_right(history.starts, origin)], []).append(
                    residual
                )
    starts = sorted(by_start.get(anchor, {}))
    return StartErrors(
        starts,
        {
            name: [sum(map(abs, per_start[s])) / len(per_start[s]) for s in starts]
            for name, per_start in by_start.items()
        },
        {name: [per_start[s] != by_start[anchor][s] for s in starts] for name, per_start in by_start.items()},
    )


class DealwatchForecaster:
    """Per store, the rule that replays best on its own history (see MIN_EVENTS for how sure it must be;
    a rule it could not try yet is judged on its similar stores' histories instead).

    Cold stores (under MIN_STARTS starts) follow the prior pooled from similar stores when one is
    given; without one they get no date, like the seed's rule.
    """

    name = "dealwatch"
    version = "dealwatch-5"

    def __init__(self, candidates: dict[str, PointRule] | None = None) -> None:
        self.candidates = candidates or CANDIDATES
        self.anchor = next(iter(self.candidates))

    def forecast(self, flags: DailyFlags, today: date, prior: StorePrior | None = None) -> Forecast:
        history = History.from_flags(flags, today)
        if len(history.starts) < MIN_STARTS:
            return self.cold_start(history, prior)
        replays = {name: replay(history, rule) for name, rule in self.candidates.items()}
        choice, reason = self.choose(history, replays, prior)
        predicted = self.candidates[choice](history, history.today)
        return calibrated_forecast(
            history,
            predicted,
            replays[choice],
            method=f"{self.name}:{choice}",
            version=self.version,
            reason=reason,
            prior=prior,
        )

    def choose(
        self, history: History, replays: dict[str, Replay], prior: StorePrior | None = None
    ) -> tuple[str, str]:
        """The rule to use for this store, and why (every rule's replayed error).

        Replays are compared per sale start (every origin whose next start is that one, averaged),
        since the weekly origins before one start are not independent evidence: see MIN_EVENTS.
        A rule that never yet differed from the anchor on the store's own starts is judged on its
        similar stores' starts instead (`prior`), by the same test.
        """
        judged = start_errors(history, replays, self.anchor)
        starts, means = judged.starts, judged.means
        if not starts:
            return self.anchor, "replays cover no sale start"
        weights = [0.5 ** ((history.today - s) / SELECT_HALF_LIFE) for s in starts]

        def weighted(values: list[float], among: list[int]) -> float:
            return sum(values[i] * weights[i] for i in among)

        def error(name: str) -> float:
            return weighted(means[name], list(range(len(starts)))) / sum(weights)

        errors = {name: error(name) for name in replays}
        reason = f"replayed MAE over {len(starts)} sale starts (days): " + ", ".join(
            f"{name} {value:.1f}" for name, value in errors.items()
        )
        if len(starts) >= MIN_EVENTS:
            return min(errors, key=lambda name: (errors[name], name != self.anchor)), reason
        gaps = history.gaps_before(history.today) or [history.today - history.starts[0]]
        # The chance that a rule lands within EXACT_DAYS of one start by luck, for a store this frequent.
        luck = min(1.0, (2 * EXACT_DAYS + 1) / max(1.0, _median([float(g) for g in gaps])))

        def wins(name: str) -> bool:
            # Judged where the rule disagrees with the anchor: where it falls back to the same
            # prediction, the tie says nothing about it.
            differ = [i for i, differs in enumerate(judged.differs[name]) if differs]
            if not differ and prior is not None:  # not tried on the store's own starts yet: its peers'
                pairs = prior.differing_errors(history.today, self.candidates, self.anchor, name)
                rule_error, anchor_error = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
                return len(pairs) >= MIN_STRONG and rule_error <= STRONG_RATIO * anchor_error
            ratio = weighted(means[name], differ) / max(1e-9, weighted(means[self.anchor], differ))
            exact = bool(differ) and all(means[name][i] <= EXACT_DAYS for i in differ)
            if exact and luck ** len(differ) <= EXACT_ALPHA:
                return ratio <= WIN_RATIO
            return len(differ) >= MIN_STRONG and ratio <= STRONG_RATIO

        winners = [name for name in replays if name != self.anchor and wins(name)]
        return (min(winners, key=lambda name: errors[name]) if winners else self.anchor), reason

    def cold_start(self, history: History, prior: StorePrior | None) -> Forecast:
        """A store with under MIN_STARTS starts: the similar stores' prior, if any."""
        waits = prior.waits(history) if prior is not None else []
        if prior is None or not waits:
            reason = f"cold start: under {MIN_STARTS} sale starts and no similar stores' history"
            return Forecast.without_date(
                self.name, len(history.starts), self.version, reason, history.median_run()
            )
        return prior_forecast(
            history,
            waits,
            method=f"{self.name}:prior",
            version=self.version,
            reason=f"cold start: prior from {len(prior.peers)} similar stores ({prior.group})",
        )


def prior_forecast(history: History, waits: list[int], *, method: str, version: str, reason: str) -> Forecast:
    """A forecast read off a sample of waits: median, 10th-90th percentiles, shares within 7 and 30 days.

    When most waits run past OUTCOME_HORIZON the sample says "no sale soon", not when: no date then,
    only the probabilities.
    """
    ordered = sorted(waits)
    n = len(ordered)
    today = history.today

    def at(q: float) -> int:
        return ordered[min(n - 1, max(0, math.ceil(q * n) - 1))]

    def within(horizon: int) -> float:
        # Half an observation of a memoryless 30-day wait keeps a thin sample off 0 and 1.
        return round((sum(w <= horizon for w in ordered) + 0.5 * horizon / (horizon + 30)) / (n + 0.5), 4)

    median = at(0.5)
    if median > OUTCOME_HORIZON:
        reason = f"{reason}: most of them waited over {OUTCOME_HORIZON} days"
    return Forecast(
        predicted_date=date.fromordinal(today + median) if median <= OUTCOME_HORIZON else None,
        lower=date.fromordinal(today + at(0.1)) if median <= OUTCOME_HORIZON else None,
        upper=date.fromordinal(today + at(0.9)) if median <= OUTCOME_HORIZON else None,
        prob_7d=within(7),
        prob_30d=within(30),
        method=method,
        data_points=len(history.starts),
        model_version=version,
        reason=reason,
        expected_duration=history.median_run(),
    )
