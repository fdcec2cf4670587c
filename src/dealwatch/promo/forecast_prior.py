"""The cold-start prior: what similar stores' histories say about a store with too little of its own.

`PooledPrior` holds every store's daily flags with its category and country; `for_store` picks the
peers of one store (same category and country, else same category, else same country, else all;
never the store itself) as a `StorePrior`. Asked on a day, a `StorePrior` reads its peers only up to
that day, so a backtest never sees the future. Its answer is a sample of "days until the next start":
for a store with one start, the peers' gaps longer than the time already elapsed; for a store with
none, when the peers' next start came after this same day (same weekday) one and two years ago, else
the waiting times their gaps imply; stretched (at most 2x either way) by how much rarer or more
frequent the store's own starts have been. The median is the prediction (none when it is past 180
days: "no sale soon"), the 10th-90th percentiles the 80% interval, and the share within 7 or 30 days
the probabilities. It also lends `dealwatch` its peers' replays (`differing_errors`, each peer's
replayed once per day) to judge a rule the store could not try on its own starts yet.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.promo.forecast import DailyFlags
from dealwatch.promo.forecast_models import (
    OUTCOME_HORIZON,
    History,
    PointRule,
    StartErrors,
    replay,
    start_errors,
)

#: Peer gaps older than this (days before the forecast day) are not used.
PRIOR_LOOKBACK = 730
#: Seasonal analogs further ahead than this are "no sale that season": a wait past the horizon.
ANALOG_HORIZON = OUTCOME_HORIZON
#: Fewer peers than this in a group and the next wider group is used.
MIN_PEERS = 2
#: The peers' start rate counts as this many days of the store's own history.
PRIOR_DAYS = 90
#: The most the peers' waits are stretched (or shrunk) toward the store's own start rate.
MAX_STRETCH = 2.0
#: Fewer peer observations than this and the prior falls back to the wait from a random day.
MIN_WAITS = 5


@dataclass(frozen=True, slots=True)
class PeerStore:
    """One store's history as a possible peer of others."""

    flags: DailyFlags
    category: str | None = None
    country: str | None = None


class PooledPrior:
    """Every store's history, read as the cold-start prior of its similar stores."""

    def __init__(self, stores: Mapping[str, PeerStore]) -> None:
        self._stores = dict(stores)
        self._histories: dict[str, History] = {}
        self._errors: dict[tuple[str, int, tuple[str, ...]], StartErrors] = {}

    def for_store(self, store_id: str, category: str | None, country: str | None) -> StorePrior:
        """The prior of `store_id`: its closest group of peers with at least MIN_PEERS members."""
        others = {sid: s for sid, s in self._stores.items() if sid != store_id}
        groups: list[tuple[str, Callable[[PeerStore], bool]]] = []
        if category is not None and country is not None:
            groups.append(("category+country", lambda s: s.category == category and s.country == country))
        if category is not None:
            groups.append(("category", lambda s: s.category == category))
        if country is not None:
            groups.append(("country", lambda s: s.country == country))
        for label, same in groups:
            peers = [sid for sid, s in others.items() if same(s)]
            if len(peers) >= MIN_PEERS:
                return StorePrior(self, peers, label)
        return StorePrior(self, list(others), "all stores")

    def history(self, store_id: str) -> History:
        """The peer's whole history, built once; callers read it only up to their forecast day."""
        if store_id not in self._histories:
            flags = self._stores[store_id].flags
            last = max((d for d, _ in flags), default=date.min)
            self._histories[store_id] = History.from_flags(flags, last)
        return self._histories[store_id]

    def start_errors(
        self, store_id: str, today: int, candidates: Mapping[str, PointRule], anchor: str
    ) -> StartErrors:
        """The store's replays up to `today` per sale start (see `start_errors`), once per store and day."""
        key = (store_id, today, tuple(candidates))
        if key not in self._errors:
            history = History.from_flags(self._stores[store_id].flags, date.fromordinal(today))
            replays = {name: replay(history, rule) for name, rule in candidates.items()}
            self._errors[key] = start_errors(history, replays, anchor)
        return self._errors[key]


@dataclass(frozen=True, slots=True)
class StorePrior:
    """One store's peers, and what they say about its next start."""

    pooled: PooledPrior
    peers: list[str]
    group: str

    def waits(self, history: History) -> list[int]:
        """Days from `history.today` to the next start, one per peer observation up to that day.

        Stretched by how much rarer the store's own starts have been than its peers' (a store seen
        for a year without a sale is not a typical peer), see `rate_ratio`.
        """
        today = history.today
        k = history.count_before(today)
        gaps = self._gaps(today)
        waits: list[int] = []
        if k >= 1:
            elapsed = today - history.starts[k - 1]
            waits = [g - elapsed for g in gaps if g > elapsed]
        else:
            waits = self._analogs(today)
        if len(waits) < MIN_WAITS:
            # Overdue or unlike every peer: the wait from a random day of the peers' renewal process.
            waits = [w for g in gaps for w in range(1, g + 1)]
        stretch = self.rate_ratio(history)
        return [max(1, round(w * stretch)) for w in waits]

    def differing_errors(
        self, today: int, candidates: Mapping[str, PointRule], anchor: str, rule: str
    ) -> list[tuple[float, float]]:
        """(rule's error, anchor's error) on every peer's replayed sale start where the two differ."""
        pairs: list[tuple[float, float]] = []
        for peer in self.peers:
            judged = self.pooled.start_errors(peer, today, candidates, anchor)
            pairs += [
                (judged.means[rule][i], judged.means[anchor][i])
                for i, differs in enumerate(judged.differs.get(rule, []))
                if differs
            ]
        return pairs

    def rate_ratio(self, history: History) -> float:
        """Peers' start rate over the store's, the store's shrunk toward the peers' by PRIOR_DAYS."""
        today = history.today
        first = today - PRIOR_LOOKBACK
        peer_starts = peer_days = 0
        for peer in self.peers:
            peer_history = self.pooled.history(peer)
            if today < peer_history.base:
                continue
            peer_starts += peer_history.count_before(today) - peer_history.count_before(first)
            peer_days += round(peer_history.known(first + 1, today) * (today - first))
        if not peer_starts:
            return 1.0
        peer_rate = peer_starts / peer_days
        own_days = round(history.known(first + 1, today) * (today - first))
        own_starts = history.count_before(today) - history.count_before(first)
        own_rate = (own_starts + PRIOR_DAYS * peer_rate) / (own_days + PRIOR_DAYS)
        return min(MAX_STRETCH, max(1 / MAX_STRETCH, peer_rate / own_rate))

    def _gaps(self, today: int) -> list[int]:
        gaps: list[int] = []
        for peer in self.peers:
            peer_history = self.pooled.history(peer)
            if today < peer_history.base:
                continue
            k = peer_history.count_before(today)
            starts = peer_history.starts[:k]
            recent = bisect_right(starts, today - PRIOR_LOOKBACK)
            for a, b in zip(starts[max(0, recent - 1) :], starts[max(1, recent) :], strict=False):
                if b - a > 0 and peer_history.known(a, b) >= 0.9:
                    gaps.append(b - a)
        return gaps

    def _analogs(self, today: int) -> list[int]:
        waits: list[int] = []
        for peer in self.peers:
            peer_history = self.pooled.history(peer)
            for years in (1, 2):
                anchor = today - 364 * years
                i = bisect_right(peer_history.starts, anchor)
                if i == len(peer_history.starts):
                    continue
                start = peer_history.starts[i]
                if start <= today and start - anchor <= ANALOG_HORIZON:
                    if peer_history.known(anchor, start) >= 0.9:
                        waits.append(start - anchor)
                elif (
                    anchor >= peer_history.base and peer_history.known(anchor, anchor + ANALOG_HORIZON) >= 0.9
                ):
                    waits.append(ANALOG_HORIZON + 1)  # no start that season: a long wait, not no data
        return waits


def pooled_prior(session: Session, until: date) -> PooledPrior:
    """Every store's daily flags up to `until` (one query), for `PooledPrior.for_store` in a daily pass."""
    from dealwatch.promo.models import PromoDay, Store

    flags: dict[str, list[tuple[date, bool | None]]] = {}
    rows = session.execute(
        select(PromoDay.store_id, PromoDay.day, PromoDay.has_promotion)
        .where(PromoDay.day <= until)
        .order_by(PromoDay.store_id, PromoDay.day)
    )
    for store_id, day, flag in rows:
        flags.setdefault(store_id, []).append((day, flag))
    stores = session.execute(select(Store.id, Store.category, Store.country))
    return PooledPrior(
        {
            store_id: PeerStore(flags.get(store_id, []), category, country)
            for store_id, category, country in stores
        }
    )
