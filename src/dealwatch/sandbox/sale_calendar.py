"""Hidden sale calendars: holiday-anchored events, periodic cadences and one-off flash sales per store."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from dealwatch.sandbox import holiday_dates as hd
from dealwatch.sandbox.phrasing import (
    Locale,
    ended_text,
    event_name,
    final_day_text,
    sale_banner,
    teaser_text,
)

EventKind = Literal["holiday", "cadence", "oneoff"]
MAX_EVENT_DAYS = 10


@dataclass(frozen=True, slots=True)
class SaleEvent:
    """One store-wide sale: inclusive dates, origin, type and the exact banner text shown.

    On its last day some events show `final_day_text` ("Ends tonight: ...") instead of `text`.
    `discount_pct` is the store-wide percentage the banner states, None when it states none.
    """

    start: date
    end: date
    kind: EventKind
    name: str
    promotion_type: str
    text: str
    discount_pct: int | None
    final_day_text: str | None = None

    def covers(self, day: date) -> bool:
        """Whether the sale is on during `day`."""
        return self.start <= day <= self.end

    def text_on(self, day: date) -> str:
        """The banner text shown on `day` (a day the event covers)."""
        return self.final_day_text if day == self.end and self.final_day_text else self.text


@dataclass(frozen=True, slots=True)
class Notice:
    """An off-sale note about a sale: a teaser before it starts or a "sale has ended" after it."""

    kind: Literal["teaser", "ended"]
    text: str


@dataclass(frozen=True, slots=True)
class Archetype:
    """A store's sales habit: how much it follows holidays, its cadence and how many flash sales it runs."""

    name: str
    holiday_affinity: float
    cadence: Literal["", "every_n_weeks", "first_weekend", "payday"]
    oneoffs: tuple[int, int]
    weeks: tuple[int, int] = (3, 8)


ARCHETYPES: tuple[tuple[Archetype, float], ...] = (
    (Archetype("holiday_driven", 1.0, "", (0, 2)), 3.0),
    (Archetype("sparse", 0.35, "", (0, 1)), 2.0),
    (Archetype("steady_cadence", 0.6, "every_n_weeks", (0, 2)), 3.0),
    (Archetype("monthly_weekend", 0.5, "first_weekend", (0, 1)), 1.5),
    (Archetype("payday", 0.5, "payday", (0, 1)), 1.0),
    (Archetype("always_on_sale", 1.0, "every_n_weeks", (3, 8), (2, 3)), 1.5),
    (Archetype("flash", 0.4, "", (6, 14)), 1.0),
)


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """A retail holiday: its anchor day by rule, who keeps it, and the spans stores give it."""

    key: str
    anchor: Callable[[int, str], date]
    affinity: dict[str, float]
    spans: tuple[tuple[int, int], ...]  # (days before the anchor, days after it)
    categories: frozenset[str] = frozenset()  # categories that keep it twice as often
    clearance: bool = False  # end-of-season sales lean to clearance banners


EU = ("DE", "FR", "ES")
ALL = ("US", "UK", *EU)


def _everywhere(p: float) -> dict[str, float]:
    return dict.fromkeys(ALL, p)


HOLIDAY_RULES: tuple[HolidayRule, ...] = (
    HolidayRule(
        "black_friday",
        lambda y, c: hd.black_friday(y),
        _everywhere(0.95),
        ((0, 0), (1, 3), (4, 2), (0, 3), (0, 2)),
    ),
    HolidayRule(
        "cyber_monday",
        lambda y, c: hd.cyber_monday(y),
        {"US": 0.6, "UK": 0.5, **dict.fromkeys(EU, 0.3)},
        ((0, 0), (0, 1), (0, 6)),
    ),
    HolidayRule(
        "boxing_day", lambda y, c: date(y, 12, 26), {"US": 0.55, "UK": 0.8}, ((0, 4), (0, 6), (0, 9), (1, 8))
    ),
    HolidayRule(
        "winter_sales",
        hd.winter_sales_start,
        {"US": 0.3, "UK": 0.35, "DE": 0.6, "FR": 0.85, "ES": 0.85},
        ((0, 6), (0, 9)),
        clearance=True,
    ),
    HolidayRule(
        "presidents_day", lambda y, c: hd.presidents_day(y), {"US": 0.45}, ((3, 0), (2, 0), (6, 0), (0, 0))
    ),
    HolidayRule("easter", lambda y, c: hd.easter(y), _everywhere(0.35), ((2, 1), (3, 1), (2, 0))),
    HolidayRule(
        "mothers_day",
        hd.mothers_day,
        _everywhere(0.25),
        ((3, 0), (6, 0), (2, 0)),
        frozenset({"beauty", "fashion", "home"}),
    ),
    HolidayRule("memorial_day", lambda y, c: hd.memorial_day(y), {"US": 0.55}, ((3, 0), (6, 0), (9, 0))),
    HolidayRule("july_4th", lambda y, c: date(y, 7, 4), {"US": 0.45}, ((3, 0), (2, 2), (0, 0), (3, 1))),
    HolidayRule(
        "summer_deal_days",
        lambda y, c: hd.marketplace_summer_event(y),
        _everywhere(0.3),
        ((0, 1),),
        frozenset({"electronics", "home", "toys"}),
    ),
    HolidayRule(
        "summer_sales",
        hd.summer_sales_start,
        {"US": 0.35, "UK": 0.5, "DE": 0.6, "FR": 0.85, "ES": 0.85},
        ((0, 6), (0, 9)),
        clearance=True,
    ),
    HolidayRule(
        "back_to_school",
        hd.back_to_school,
        _everywhere(0.25),
        ((0, 6), (0, 9), (0, 4)),
        frozenset({"books", "electronics", "fashion"}),
    ),
    HolidayRule("labor_day", lambda y, c: hd.labor_day(y), {"US": 0.5}, ((3, 0), (4, 0), (0, 0))),
    HolidayRule(
        "singles_day",
        lambda y, c: date(y, 11, 11),
        _everywhere(0.12),
        ((0, 0), (1, 0), (0, 1)),
        frozenset({"electronics", "fashion"}),
    ),
)

HOLIDAY_TYPES = (
    ("seasonal_sale", 55),
    ("percentage_off", 20),
    ("coupon_code", 12),
    ("free_shipping", 5),
    ("bogo", 3),
    ("clearance", 5),
)
CADENCE_TYPES = (
    ("percentage_off", 30),
    ("free_shipping", 20),
    ("coupon_code", 15),
    ("bogo", 10),
    ("fixed_discount", 10),
    ("clearance", 5),
    ("other", 10),
)
ONEOFF_TYPES = (("other", 50), ("percentage_off", 30), ("free_shipping", 10), ("coupon_code", 10))
_CADENCE_WEEKDAYS = (hd.MON, hd.THU, hd.FRI, hd.SAT)
CADENCE_NAMES = {"every_n_weeks": "Sale", "first_weekend": "Weekend Sale", "payday": "Payday Sale"}


@dataclass(slots=True)
class _Candidate:
    """An event before overlap resolution; `anchor` must stay inside it when it is trimmed."""

    start: date
    end: date
    anchor: date
    kind: EventKind
    key: str
    short: str | None = None


@dataclass(slots=True)
class StoreCalendar:
    """A store's resolved events (sorted, non-overlapping) and its off-sale notices by day."""

    events: list[SaleEvent]
    notices: dict[date, Notice] = field(default_factory=dict)
    _starts: list[date] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [event.start for event in self.events]

    def event_on(self, day: date) -> SaleEvent | None:
        """The event running on `day`, if any."""
        i = bisect.bisect_right(self._starts, day) - 1
        return self.events[i] if i >= 0 and self.events[i].covers(day) else None


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def pick_archetype(rng: random.Random) -> Archetype:
    """Draw a store archetype with its population weight."""
    return rng.choices([a for a, _ in ARCHETYPES], weights=[w for _, w in ARCHETYPES])[0]


class _Planner:
    """Builds one store's calendar from its own random stream; every draw happens in a fixed order."""

    def __init__(
        self, rng: random.Random, locale: Locale, category: str, archetype: Archetype, first: date, last: date
    ) -> None:
        self.rng, self.locale, self.category, self.archetype = rng, locale, category, archetype
        self.first, self.last = first, last
        self.depth = rng.choice((15, 20, 25, 30, 40))
        self.early = rng.choice((0, 0, 0, 0, 1, 1, 2, 3))

    def holidays(self) -> list[_Candidate]:
        rng, out = self.rng, []
        for rule in HOLIDAY_RULES:
            p = rule.affinity.get(self.locale.country, 0.0)
            p *= (2.0 if self.category in rule.categories else 1.0) * self.archetype.holiday_affinity
            if rule.key == "black_friday":
                p = max(p, 0.85)
            habit = rng.choice(rule.spans)
            kept = rng.random() < min(p, 0.97)
            for year in range(self.first.year - 1, self.last.year + 1):
                lead, tail = rng.choice(rule.spans) if rng.random() < 0.2 else habit
                if not kept:
                    continue
                anchor = rule.anchor(year, self.locale.country)
                start = anchor - timedelta(days=lead + self.early)
                end = min(anchor + timedelta(days=tail), start + timedelta(days=MAX_EVENT_DAYS - 1))
                out.append(
                    _Candidate(start, end, anchor, "holiday", rule.key, event_name(rule.key, self.locale)[0])
                )
        return out

    def cadence(self) -> list[_Candidate]:
        kind = self.archetype.cadence
        if kind == "every_n_weeks":
            return self._every_n_weeks()
        if kind == "first_weekend":
            return self._monthly(lambda y, m: [hd.nth_weekday(y, m, hd.SAT, 1)], self.rng.choice((1, 0)), 1)
        if kind == "payday":
            return self._monthly(self._paydays, 0, self.rng.randint(0, 2))
        return []

    @staticmethod
    def _paydays(year: int, month: int) -> list[date]:
        days = [date(year, month, 1), date(year, month, 15)]
        # a payday on a weekend is paid the Friday before
        return [d - timedelta(days=max(0, d.weekday() - hd.FRI)) for d in days]

    def _monthly(self, anchors: Callable[[int, int], list[date]], lead: int, tail: int) -> list[_Candidate]:
        rng, out = self.rng, []
        skip = rng.uniform(0.05, 0.15)
        month = date(self.first.year, self.first.month, 1)
        while month <= self.last:
            for anchor in anchors(month.year, month.month):
                if rng.random() >= skip:
                    out.append(
                        _Candidate(
                            anchor - timedelta(days=lead),
                            anchor + timedelta(days=tail),
                            anchor,
                            "cadence",
                            self.archetype.cadence,
                        )
                    )
            month = (month + timedelta(days=32)).replace(day=1)
        return out

    def _every_n_weeks(self) -> list[_Candidate]:
        rng = self.rng
        low, high = self.archetype.weeks
        weeks = rng.randint(low, high)
        weekday = rng.choice(_CADENCE_WEEKDAYS)
        length = rng.randint(1, 4)
        jitter = rng.choice((0, 1, 2))
        skip = rng.uniform(0.05, 0.15)
        change = self.first + timedelta(days=rng.randint(120, 240)) if rng.random() < 0.3 else None
        day = self.first - timedelta(days=rng.randrange(weeks * 7))
        day += timedelta(days=(weekday - day.weekday()) % 7)
        out = []
        while day <= self.last:
            if change and day >= change:  # the store changes its rhythm once, mid-window
                weeks = rng.choice([w for w in range(2, 9) if w != weeks])
                weekday = rng.choice(_CADENCE_WEEKDAYS)
                length = rng.randint(1, 4)
                change = None
                day += timedelta(days=(weekday - day.weekday()) % 7)
            start = day + timedelta(days=rng.randint(-jitter, jitter))
            if rng.random() >= skip:
                out.append(
                    _Candidate(start, start + timedelta(days=length - 1), start, "cadence", "every_n_weeks")
                )
            day += timedelta(weeks=weeks)
        return out

    def oneoffs(self) -> list[_Candidate]:
        rng, out = self.rng, []
        span = (self.last - self.first).days
        for _ in range(rng.randint(*self.archetype.oneoffs)):
            start = self.first + timedelta(days=rng.randrange(span + 1))
            out.append(
                _Candidate(start, start + timedelta(days=rng.randint(1, 3) - 1), start, "oneoff", "flash")
            )
        return out

    def event(self, c: _Candidate, may_end_tonight: bool) -> SaleEvent:
        rng = self.rng
        if c.kind == "holiday":
            rule = next(r for r in HOLIDAY_RULES if r.key == c.key)
            options = (("clearance", 40), ("seasonal_sale", 60)) if rule.clearance else HOLIDAY_TYPES
            ptype = _weighted(rng, options)
            names = event_name(c.key, self.locale)
            name: str = names[1]
            deep = (
                15
                if c.key in ("black_friday", "cyber_monday", "boxing_day", "winter_sales", "summer_sales")
                else 0
            )
            pct = min(70, self.depth + deep + rng.choice((-5, 0, 0, 5, 10)))
            banner = sale_banner(rng, self.locale, ptype, pct, names, c.start, c.end)
        else:
            ptype = _weighted(rng, CADENCE_TYPES if c.kind == "cadence" else ONEOFF_TYPES)
            name = CADENCE_NAMES.get(c.key, "Flash Sale")
            pct = max(10, self.depth + rng.choice((-5, 0, 5)))
            banner = sale_banner(rng, self.locale, ptype, pct, None, c.start, c.end)
        ends_tonight = may_end_tonight and c.end > c.start and rng.random() < 0.25
        final = final_day_text(rng, self.locale, banner.text) if ends_tonight else None
        return SaleEvent(c.start, c.end, c.kind, name, ptype, banner.text, banner.discount_pct, final)


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Place candidates in priority order (holidays, cadence, one-offs) without overlaps.

    A holiday overlapping an earlier holiday is trimmed to the free days around its anchor (so a
    Thu–Mon Black Friday absorbs Cyber Monday); cadence and one-off sales need two free days around them.
    """
    taken: list[_Candidate] = []
    for c in candidates:
        gap = timedelta(days=0 if c.kind == "holiday" else 2)
        clashes = [t for t in taken if t.start - gap <= c.end and c.start <= t.end + gap]
        if clashes and c.kind == "holiday":
            if any(t.start <= c.anchor <= t.end for t in clashes):
                continue
            before = [t.end for t in clashes if t.end < c.anchor]
            after = [t.start for t in clashes if t.start > c.anchor]
            c.start = max([c.start, *(d + timedelta(days=1) for d in before)])
            c.end = min([c.end, *(d - timedelta(days=1) for d in after)])
        elif clashes:
            continue
        taken.append(c)
    return sorted(taken, key=lambda c: c.start)


def generate_calendar(
    rng: random.Random, locale: Locale, category: str, archetype: Archetype, first: date, last: date
) -> StoreCalendar:
    """A store's hidden calendar over [first, last]: events clipped to the window, plus notices."""
    planner = _Planner(rng, locale, category, archetype, first, last)
    candidates = planner.holidays() + planner.cadence() + planner.oneoffs()
    events: list[SaleEvent] = []
    shorts: list[str | None] = []
    for c in _resolve(candidates):
        # an event cut by the window's end must not say "ends tonight" on the window's last day
        ends_inside = c.end <= last
        c.start, c.end = max(c.start, first), min(c.end, last)
        if c.start <= c.end:
            events.append(planner.event(c, ends_inside))
            shorts.append(c.short)
    calendar = StoreCalendar(events)
    _place_notices(rng, locale, calendar, shorts, first, last)
    return calendar


def _place_notices(
    rng: random.Random,
    locale: Locale,
    calendar: StoreCalendar,
    shorts: list[str | None],
    first: date,
    last: date,
) -> None:
    """Teasers 1–3 days before some events, "sale has ended" 1–2 days after some; only on free days."""
    notices = calendar.notices

    def free(day: date) -> bool:
        return first <= day <= last and day not in notices and calendar.event_on(day) is None

    for event, short in zip(calendar.events, shorts, strict=True):
        p_teaser, p_ended = {"holiday": (0.5, 0.35), "cadence": (0.12, 0.15), "oneoff": (0.0, 0.1)}[
            event.kind
        ]
        if rng.random() < p_teaser:
            teaser = Notice("teaser", teaser_text(rng, locale, short, event.start))
            for back in range(1, rng.randint(1, 3) + 1):
                day = event.start - timedelta(days=back)
                if not free(day):
                    break
                notices[day] = teaser
        if rng.random() < p_ended:
            ended = Notice("ended", ended_text(rng, locale, short))
            for ahead in range(1, rng.randint(1, 2) + 1):
                day = event.end + timedelta(days=ahead)
                if not free(day):
                    break
                notices[day] = ended
