"""The forecast harness: replay every model over daily promo histories and score them side by side.

FILE.csv has columns `series_id,date,promo` (ISO date, promo 0/1, empty = unknown day), optionally
followed by `category,country`. For cutoffs every 7 days over the last 365 days of each series, each
model sees only the days before the cutoff and predicts the first sale start on or after it. The
other series of the file, read only up to the same day, are each series' similar stores (leave one
out; same category and country first): the `dealwatch` model's cold-start prior. MAE / within-N /
80% coverage count the cutoffs with a start within the horizon; `mae_common` only those where every
model in the run predicted; Brier (30 days) counts every cutoff. `load_real_calendars` and
`load_sandbox_calendars` turn the real retailer calendars and the sandbox's hidden ones into that format.
"""

from __future__ import annotations

import csv
import io
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dealwatch.core.errors import InvalidInput, NotConfigured
from dealwatch.promo.forecast import FORECASTERS, Forecast, Forecaster, build_forecaster, sale_starts
from dealwatch.promo.forecast_prior import PeerStore, PooledPrior

COLUMNS = ("series_id", "date", "promo")
OPTIONAL_COLUMNS = ("category", "country")
CUTOFF_STEP = 7
CUTOFF_SPAN = 365
DEFAULT_MODELS = FORECASTERS

Series = dict[str, list[tuple[date, bool | None]]]


def read_series(path: Path) -> Series:
    """Parse FILE.csv into daily flags per series; bad input raises InvalidInput naming file, line, column."""
    return read_stores(path)[0]


def read_stores(path: Path) -> tuple[Series, dict[str, tuple[str | None, str | None]]]:
    """Daily flags per series and each series' (category, country) from FILE.csv (see read_series)."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        return parse_stores(handle, str(path))


def parse_series(lines: Iterable[str], name: str = "<csv>") -> Series:
    """Parse CSV text lines (see read_series)."""
    return parse_stores(lines, name)[0]


def parse_stores(
    lines: Iterable[str], name: str = "<csv>"
) -> tuple[Series, dict[str, tuple[str | None, str | None]]]:
    """Parse CSV text lines into flags and (category, country) per series (see read_stores)."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or [h.strip() for h in header[:3]] != list(COLUMNS):
        raise InvalidInput(f"{name}:1: header must start with {','.join(COLUMNS)}, got {header!r}")
    extra = [h.strip() for h in header[3:5]]
    if extra and extra != list(OPTIONAL_COLUMNS[: len(extra)]):
        raise InvalidInput(
            f"{name}:1: columns after promo must be {','.join(OPTIONAL_COLUMNS)}, got {extra!r}"
        )
    rows: dict[str, dict[date, bool | None]] = {}
    traits: dict[str, tuple[str | None, str | None]] = {}
    for row in reader:
        line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            raise InvalidInput(f"{name}:{line}: expected 3 columns ({','.join(COLUMNS)}), got {len(row)}")
        series_id, raw_day, raw_promo = (cell.strip() for cell in row[:3])
        if not series_id:
            raise InvalidInput(f"{name}:{line}: column series_id is empty")
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise InvalidInput(f"{name}:{line}: column date: {raw_day!r} is not an ISO date") from None
        if raw_promo not in ("0", "1", ""):
            raise InvalidInput(f"{name}:{line}: column promo: {raw_promo!r} must be 0, 1 or empty")
        days = rows.setdefault(series_id, {})
        if day in days:
            raise InvalidInput(f"{name}:{line}: duplicate day {day} for series {series_id!r}")
        days[day] = None if raw_promo == "" else raw_promo == "1"
        if series_id not in traits:
            category, country = ([cell.strip() or None for cell in row[3:5]] + [None, None])[:2]
            traits[series_id] = (category if extra else None, country if len(extra) > 1 else None)
    if not rows:
        raise InvalidInput(f"{name}: no data rows")
    return {sid: _fill(days) for sid, days in rows.items()}, traits


def _fill(days: dict[date, bool | None]) -> list[tuple[date, bool | None]]:
    """Daily flags from the first to the last day; days absent from the file are unknown."""
    first, last = min(days), max(days)
    return [(d, days.get(d)) for d in (first + timedelta(n) for n in range((last - first).days + 1))]


def evaluate_forecast(path: Path, horizon: int = 90, models: list[str] | None = None) -> dict[str, Any]:
    """Score the models on FILE.csv; see the module docstring. Prophet is skipped when not installed."""
    series, traits = read_stores(path)
    return evaluate_series(series, horizon, models, traits)


def evaluate_series(
    series: Series,
    horizon: int = 90,
    models: list[str] | None = None,
    traits: dict[str, tuple[str | None, str | None]] | None = None,
) -> dict[str, Any]:
    """Score the models on parsed series (the harness behind evaluate_forecast).

    `traits` gives a series' (category, country) for choosing its similar stores; without it every
    other series is similar.
    """
    if horizon < 1:
        raise InvalidInput(f"horizon must be at least 1 day, got {horizon}")
    names = list(models or DEFAULT_MODELS)
    forecasters: dict[str, Forecaster] = {}
    skipped: dict[str, str] = {}
    for name in names:
        if name not in FORECASTERS:
            raise InvalidInput(f"unknown model {name!r}; choose from {', '.join(FORECASTERS)}")
        try:
            forecasters[name] = build_forecaster(name)
        except NotConfigured as exc:
            if models:  # asked for explicitly: say why it can't run
                raise
            skipped[name] = str(exc)
    scores = {name: _Score() for name in forecasters}
    chosen: Counter[str] = Counter()
    traits = traits or {}
    pooled = PooledPrior(
        {sid: PeerStore(flags, *traits.get(sid, (None, None))) for sid, flags in series.items()}
    )
    started = time.perf_counter()
    for series_id, flags in series.items():
        prior = pooled.for_store(series_id, *traits.get(series_id, (None, None))) if len(series) > 1 else None
        starts = sale_starts(flags)
        last = flags[-1][0]
        cutoffs = [last - timedelta(days=back) for back in range(CUTOFF_SPAN - 1, -1, -CUTOFF_STEP)]
        for cutoff in cutoffs:
            if cutoff <= flags[0][0]:
                continue
            index = bisect_left(flags, cutoff, key=lambda item: item[0])
            history, today = flags[:index], cutoff - timedelta(days=1)
            j = bisect_left(starts, cutoff)
            actual = starts[j] if j < len(starts) and (starts[j] - cutoff).days < horizon else None
            if actual is None and (last - cutoff).days + 1 < horizon:
                continue  # the horizon runs past the data: the outcome is unknown
            forecasts: dict[str, Forecast] = {}
            for name, forecaster in forecasters.items():
                tick = time.perf_counter()
                forecasts[name] = forecaster.forecast(history, today, prior)
                scores[name].add(forecasts[name], today, actual, time.perf_counter() - tick)
                if name == "dealwatch":
                    chosen[forecasts[name].method.partition(":")[2] or forecasts[name].method] += 1
            if actual is not None and all(f.predicted_date is not None for f in forecasts.values()):
                for name, forecast in forecasts.items():
                    assert forecast.predicted_date is not None
                    scores[name].common.append(abs((forecast.predicted_date - actual).days))
    elapsed = time.perf_counter() - started
    table = {name: score.summary() for name, score in scores.items()}
    ranked = [name for name in table if table[name]["mae"] is not None]
    result: dict[str, Any] = {
        "models": table,
        "selected": min(ranked, key=lambda n: table[n]["mae"]) if ranked else None,
        "series_per_second": round(len(series) / elapsed, 3) if elapsed else None,
        "series": len(series),
        "horizon": horizon,
        "dealwatch_choices": dict(chosen),
        "similar_stores": "the file's other series, leave one out"
        + (" (same category/country first)" if any(any(t) for t in traits.values()) else "")
        if len(series) > 1
        else "none (one series)",
    }
    if skipped:
        result["skipped"] = skipped
    return result


class _Score:
    def __init__(self) -> None:
        self.errors: list[int] = []
        self.common: list[int] = []  # errors at the cutoffs where every model predicted
        self.covered = 0
        self.brier: list[float] = []
        self.no_prediction = 0
        self.seconds = 0.0
        self.calls = 0

    def add(self, forecast: Any, today: date, actual: date | None, seconds: float) -> None:
        self.seconds += seconds
        self.calls += 1
        within_30 = actual is not None and (actual - today).days <= 30
        p30 = forecast.prob_30d if forecast.prob_30d is not None else 0.5
        self.brier.append((p30 - within_30) ** 2)
        if actual is None:
            return
        if forecast.predicted_date is None:
            self.no_prediction += 1
            return
        self.errors.append(abs((forecast.predicted_date - actual).days))
        if forecast.lower is not None and forecast.upper is not None:
            self.covered += forecast.lower <= actual <= forecast.upper

    def summary(self) -> dict[str, Any]:
        n = len(self.errors)

        def share(limit: int) -> float | None:
            return round(sum(e <= limit for e in self.errors) / n, 4) if n else None

        return {
            "mae": round(sum(self.errors) / n, 3) if n else None,
            "mae_common": round(sum(self.common) / len(self.common), 3) if self.common else None,
            "n_common": len(self.common),
            "within_1": share(1),
            "within_3": share(3),
            "within_7": share(7),
            "coverage_80": round(self.covered / n, 4) if n else None,
            "brier_30": round(sum(self.brier) / len(self.brier), 4) if self.brier else None,
            "n": n,
            "no_prediction": self.no_prediction,
            "ms_per_forecast": round(1000 * self.seconds / self.calls, 3) if self.calls else None,
        }


# -- real calendars ---------------------------------------------------------------------------------

ROSSMANN = "rossmann_chain_promo_calendar.csv"
WALMART = "walmart_features.csv"
COMPLETE_JOURNEY = "completejourney_campaigns.csv"
COMPILED = "retailer_sale_events_compiled.csv"
#: The compiled events' retailers as stores: (category) for choosing similar stores.
RETAILER_CATEGORIES = {"amazon": "marketplace", "steam": "games"}
#: Walmart recorded markdowns from this week on; before it, MarkDown NA means "not recorded".
WALMART_MARKDOWNS_FROM = date(2011, 11, 11)


def load_real_calendars(
    directory: Path, *, walmart_stores: Iterable[int] | None = None, sources: Iterable[str] | None = None
) -> str:
    """The real calendars in `directory` as harness CSV text (`series_id,date,promo`).

    Series: `rossmann` (chain promo as is); `walmart-<store>` (a week with any MarkDown > 0 is a
    markdown week, expanded to 7 days; weeks before markdowns were recorded are unknown) and
    `walmart-<store>-md<k>` per markdown type (NA after recording began = no markdown), since the
    any-markdown series is on every week (category `markdown-<k>`, so a store's peers are the other
    stores' same markdown type); `cj-all` (union of Complete Journey campaigns), `cj-type-a|b|c`
    per campaign type and `cj-launches` (1 on each campaign's first day); `amazon` and `steam` from
    the compiled events. `sources` picks among rossmann, walmart, completejourney, compiled.
    """
    wanted = set(sources or ("rossmann", "walmart", "completejourney", "compiled"))
    out = io.StringIO()
    out.write(",".join(COLUMNS + OPTIONAL_COLUMNS) + "\n")

    def emit(series_id: str, days: dict[date, bool | None], category: str, country: str) -> None:
        for day, flag in _fill(days):
            out.write(
                f"{series_id},{day.isoformat()},{'' if flag is None else int(flag)},{category},{country}\n"
            )

    if "rossmann" in wanted:
        with _open(directory / ROSSMANN) as rows:
            emit(
                "rossmann",
                {date.fromisoformat(r["date"]): r["promo"] == "1" for r in rows},
                "drugstore",
                "DE",
            )
    if "walmart" in wanted:
        stores = set(walmart_stores) if walmart_stores is not None else None
        weekly: dict[str, dict[date, bool | None]] = {}
        with _open(directory / WALMART) as rows:
            for r in rows:
                if stores is not None and int(r["Store"]) not in stores:
                    continue
                week = date.fromisoformat(r["Date"])
                recorded = week >= WALMART_MARKDOWNS_FROM
                amounts = [r[f"MarkDown{k}"] for k in range(1, 6)]
                flags = [recorded and a not in ("NA", "") and float(a) > 0 for a in amounts]
                for series_id, flag in [(f"walmart-{r['Store']}", any(flags))] + [
                    (f"walmart-{r['Store']}-md{k}", flags[k - 1]) for k in range(1, 6)
                ]:
                    days = weekly.setdefault(series_id, {})
                    for offset in range(7):  # Walmart weeks end on the listed Friday
                        days[week - timedelta(days=6 - offset)] = flag if recorded else None
        for series_id, days in weekly.items():
            kind = series_id.split("-")[2] if series_id.count("-") == 2 else "any"
            emit(series_id, days, f"markdown-{kind}", "US")
    if "completejourney" in wanted:
        with _open(directory / COMPLETE_JOURNEY) as rows:
            campaigns = [
                (r["campaign_type"], date.fromisoformat(r["start_date"]), date.fromisoformat(r["end_date"]))
                for r in rows
            ]
        first, last = min(c[1] for c in campaigns), max(c[2] for c in campaigns)
        groups = {"cj-all": campaigns} | {
            f"cj-type-{kind.split()[-1].lower()}": [c for c in campaigns if c[0] == kind]
            for kind in sorted({c[0] for c in campaigns})
        }
        for series_id, members in groups.items():
            emit(series_id, _spans(first, last, [(s, e) for _, s, e in members]), "grocery", "US")
        emit("cj-launches", _spans(first, last, [(s, s) for _, s, _ in campaigns]), "grocery", "US")
    if "compiled" in wanted:
        by_retailer: dict[str, list[tuple[date, date]]] = {}
        with _open(directory / COMPILED) as rows:
            for r in rows:
                span = (date.fromisoformat(r["start_date"]), date.fromisoformat(r["end_date"]))
                by_retailer.setdefault(r["retailer"].lower(), []).append(span)
        for retailer, spans in by_retailer.items():
            first = min(s for s, _ in spans) - timedelta(days=30)
            last = max(e for _, e in spans) + timedelta(days=30)
            emit(retailer, _spans(first, last, spans), RETAILER_CATEGORIES.get(retailer, "retail"), "US")
    return out.getvalue()


def load_sandbox_calendars(
    stores: int = 30, days: int = 730, seed: int = 7, start: date = date(2024, 1, 1)
) -> str:
    """The sandbox's hidden sale calendars as harness CSV text, with each store's category and country."""
    from dealwatch.sandbox import SandboxWorld

    world = SandboxWorld.generate(stores, seed=seed, start=start, days=days)
    out = io.StringIO()
    out.write(",".join(COLUMNS + OPTIONAL_COLUMNS) + "\n")
    for store in world.stores:
        on = {
            e.start + timedelta(n)
            for e in world.calendar(store.slug)
            for n in range((e.end - e.start).days + 1)
        }
        for offset in range(days):
            day = start + timedelta(offset)
            out.write(f"{store.slug},{day.isoformat()},{int(day in on)},{store.category},{store.country}\n")
    return out.getvalue()


def _spans(first: date, last: date, spans: list[tuple[date, date]]) -> dict[date, bool | None]:
    on = {s + timedelta(n) for s, e in spans for n in range((e - s).days + 1)}
    return {first + timedelta(n): first + timedelta(n) in on for n in range((last - first).days + 1)}


class _open:
    """csv.DictReader over a calendar file, with a clear error when it is missing."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise InvalidInput(f"{path}: calendar file not found")
        self.handle = path.open(encoding="utf-8", newline="")

    def __enter__(self) -> csv.DictReader[str]:
        return csv.DictReader(self.handle)

    def __exit__(self, *exc: object) -> None:
        self.handle.close()
