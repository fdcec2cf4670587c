"""Benchmark: what the next-sale forecasts of a daily pass cost, as `make demo` runs them.

The sandbox's 30 stores over a simulated year (seed 7, the demo's), each forecast every day from its
own flags up to that day with its similar stores' prior, as `pipeline.run_daily` does. Prints one JSON
object per model: {"bench", "value" (CPU seconds for all store-days), "unit", "baseline" (the seed's
`interval` rule), "ratio", "ms_per_forecast"}.
Sizes: BENCH_FORECAST_STORES (default 30), BENCH_FORECAST_DAYS (default 365).
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta

from dealwatch.promo.forecast import DailyFlags, build_forecaster
from dealwatch.promo.forecast_prior import PeerStore, PooledPrior
from dealwatch.sandbox import SandboxWorld

STORES = int(os.environ.get("BENCH_FORECAST_STORES", "30"))
DAYS = int(os.environ.get("BENCH_FORECAST_DAYS", "365"))
START = date(2025, 1, 1)


def cpu_seconds(model: str, world: SandboxWorld, flags: dict[str, DailyFlags]) -> float:
    forecaster = build_forecaster(model)
    traits = {store.slug: (store.category, store.country) for store in world.stores}
    started = time.process_time()
    for n in range(1, DAYS):
        day = START + timedelta(days=n)
        pooled = PooledPrior({slug: PeerStore(f[:n], *traits[slug]) for slug, f in flags.items()})
        for slug, f in flags.items():
            forecaster.forecast(f[: n + 1], day, pooled.for_store(slug, *traits[slug]))
    return time.process_time() - started


def main() -> None:
    world = SandboxWorld.generate(n_stores=STORES, seed=7, start=START, days=DAYS)
    flags: dict[str, DailyFlags] = {}
    for store in world.stores:
        on = {
            e.start + timedelta(k)
            for e in world.calendar(store.slug)
            for k in range((e.end - e.start).days + 1)
        }
        flags[store.slug] = [(START + timedelta(n), START + timedelta(n) in on) for n in range(DAYS)]
    forecasts = STORES * (DAYS - 1)
    baseline = cpu_seconds("interval", world, flags)
    for model in ("interval", "dealwatch"):
        seconds = baseline if model == "interval" else cpu_seconds(model, world, flags)
        print(
            json.dumps(
                {
                    "bench": f"forecast_daily_pass_{model}",
                    "value": round(seconds, 2),
                    "unit": "CPU s",
                    "baseline": round(baseline, 2),
                    "ratio": round(seconds / baseline, 1),
                    "ms_per_forecast": round(1000 * seconds / forecasts, 3),
                    "forecasts": forecasts,
                }
            )
        )


if __name__ == "__main__":
    main()
