"""The demo: the promo job run over the sandbox web for a simulated year, then the flip job over the
sandbox marketplaces (demo_flip.py), both scored against the sandbox's hidden truth."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.clock import FrozenClock
from dealwatch.demo_flip import FlipReport, flip_table, run_flip_job
from dealwatch.pipeline import run_daily
from dealwatch.promo.models import Prediction, PromoDay
from dealwatch.promo.stores import StoreSpec, import_stores
from dealwatch.sandbox import SandboxWorld
from dealwatch.sandbox.market import SandboxMarket
from dealwatch.services import Services, build_services
from dealwatch.settings import Settings
from dealwatch.testing import bind_loopback

# Stores whose banner exists only after JavaScript runs: a plain HTTP fetch cannot see it.
SCRIPT_ONLY_TEMPLATE = "script_notice"


@dataclass
class DemoReport:
    """What the demo measured."""

    stores: int
    days: int
    store_days: int
    unknown_days: int
    true_sale_days: int
    found_sale_days: int
    script_only_missed: int
    agreement: float
    precision: float
    recall: float
    forecast_mae: float | None
    forecast_within_7: float | None
    forecasts_scored: int
    seconds: float
    data_dir: Path
    tiers: list[str]
    forecast_model: str
    flip: FlipReport | None = None  # None when the demo ran without marketplaces


def run_demo(
    *,
    stores: int,
    days: int,
    start: date,
    seed: int,
    data_dir: Path,
    tiers: list[str] | None = None,
    console: Console | None = None,
    listings: int = 0,
) -> DemoReport:
    """Generate a sandbox world, serve it on loopback and run one daily pass per simulated day; with
    `listings` (per marketplace), then run the flip job over the sandbox marketplaces on the last day."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    settings = _demo_settings(data_dir, days, tiers)
    world = SandboxWorld.generate(n_stores=stores, seed=seed, start=start, days=days)
    clock = FrozenClock.on(start)
    started = time.perf_counter()
    flip = None
    with SandboxProcess(stores=stores, seed=seed, start=start, days=days, listings=listings) as server:
        services = build_services(settings, clock)
        specs = [
            StoreSpec(
                id=s.slug,
                name=s.name,
                url=server.store_url(s.slug),
                selectors=dict(s.selectors),
                category=s.category,
                country=s.country,
            )
            for s in world.stores
        ]
        with services.sessions.begin() as session:
            import_stores(session, specs, clock)
        asyncio.run(_run_days(services, server, clock, start, days, console))
        seconds = time.perf_counter() - started
        if listings > 0:
            market = SandboxMarket.generate(seed=seed, today=world.end, listings=listings)
            flip = run_flip_job(settings, market, server.marketplace_urls, console)
    with services.sessions() as session:
        report = _score(session, world, start, days, seconds, data_dir, settings)
    services.engine.dispose()
    report.flip = flip
    return report


def run_flip_demo(
    *,
    listings: int,
    seed: int,
    today: date,
    data_dir: Path,
    tiers: list[str] | None = None,
    console: Console | None = None,
    flip_settings: Mapping[str, object] | None = None,
) -> FlipReport:
    """The flip job alone: serve the sandbox marketplaces (`listings` each, dated `today`) and scan them;
    `flip_settings` override `flip.*` settings (e.g. the routing thresholds)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    market = SandboxMarket.generate(seed=seed, today=today, listings=listings)
    with SandboxProcess(stores=1, seed=seed, start=today, days=1, listings=listings) as server:
        settings = _demo_settings(data_dir, 1, tiers)
        if flip_settings:
            settings = settings.model_copy(
                update={"flip": settings.flip.model_copy(update=dict(flip_settings))}
            )
        return run_flip_job(settings, market, server.marketplace_urls, console)


def _demo_settings(data_dir: Path, days: int, tiers: list[str] | None) -> Settings:
    # One request per store per simulated day needs no per-host delay; the sandbox's robots.txt never
    # changes, so it is read once per run rather than once per simulated day.
    fetch = {
        "per_host_delay": 0.0,
        "timeout": 10.0,
        "backoff_base": 0.1,
        "robots_ttl": days * 86_400.0,
        "allowed_networks": ["127.0.0.0/8"],  # the sandbox lives on loopback
        "tiers": tiers or ["http"],
    }
    return Settings(data_dir=data_dir, fetch=fetch)


class SandboxProcess:
    """The sandbox web in its own process (`dealwatch sandbox serve`), driven through its admin API.

    Serving from a second process leaves this one to the pipeline, as on the real web.
    """

    def __init__(self, *, stores: int, seed: int, start: date, days: int, listings: int = 0) -> None:
        with closing(bind_loopback()) as probe:
            self.port = probe.getsockname()[1]
        self.admin_url = f"http://127.0.0.1:{self.port}"
        self.args = [
            sys.executable, "-m", "dealwatch", "sandbox", "serve", "--port", str(self.port),
            "--stores", str(stores), "--seed", str(seed), "--start", start.isoformat(), "--days", str(days),
        ]  # fmt: skip
        if listings > 0:
            self.args += ["--listings", str(listings)]
        self._urls: dict[str, str] = {}
        self.marketplace_urls: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._client = httpx.Client(timeout=10)

    def __enter__(self) -> SandboxProcess:
        self._process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                listing = self._client.get(f"{self.admin_url}/__admin/stores").json()
                break
            except httpx.TransportError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    error = self._process.stderr.read().decode() if self._process.stderr else ""
                    raise RuntimeError(f"the sandbox did not start: {error[-2000:]}") from None
                time.sleep(0.1)
        self._urls = {entry["slug"]: entry["url"] for entry in listing}
        self.marketplace_urls = self._client.get(f"{self.admin_url}/__admin/marketplaces").json()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def store_url(self, slug: str) -> str:
        """A store's home page URL."""
        return self._urls[slug]

    def set_date(self, day: date) -> None:
        """Move the sandbox's simulated date."""
        self._client.post(f"{self.admin_url}/__admin/date", json={"date": day.isoformat()}).raise_for_status()


async def _run_days(
    services: Services,
    server: SandboxProcess,
    clock: FrozenClock,
    start: date,
    days: int,
    console: Console | None,
) -> None:
    progress = Progress(
        TextColumn("[bold]simulated days"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=console is None,
    )
    try:
        with progress:
            task = progress.add_task("days", total=days)
            for offset in range(days):
                day = start + timedelta(days=offset)
                server.set_date(day)
                clock.set(FrozenClock.on(day).now())
                await run_daily(services, day)
                progress.advance(task)
    finally:
        await services.aclose()


def _score(
    session: Session,
    world: SandboxWorld,
    start: date,
    days: int,
    seconds: float,
    data_dir: Path,
    settings: Settings,
) -> DemoReport:
    end = start + timedelta(days=days - 1)
    tp = fp = fn = tn = unknown = script_only_missed = 0
    script_only = {s.slug for s in world.stores if s.template == SCRIPT_ONLY_TEMPLATE}
    for row in session.scalars(select(PromoDay)):
        truth = world.truth(row.store_id, row.day).has_promotion
        if truth and row.has_promotion is False and row.store_id in script_only:
            script_only_missed += 1
        if row.has_promotion is None:
            unknown += 1
        elif row.has_promotion and truth:
            tp += 1
        elif row.has_promotion:
            fp += 1
        elif truth:
            fn += 1
        else:
            tn += 1
    known = tp + fp + fn + tn

    errors: list[int] = []
    within = 0
    next_start = {s.slug: sorted(e.start for e in world.calendar(s.slug)) for s in world.stores}
    for prediction in session.scalars(select(Prediction).where(Prediction.predicted_date.is_not(None))):
        actual = next((d for d in next_start[prediction.store_id] if d > prediction.issued_on), None)
        if actual is None or actual > end or prediction.predicted_date is None:
            continue
        error = abs((prediction.predicted_date - actual).days)
        errors.append(error)
        within += error <= 7
    return DemoReport(
        stores=len(world.stores),
        days=days,
        store_days=known + unknown,
        unknown_days=unknown,
        true_sale_days=tp + fn,
        found_sale_days=tp + fp,
        script_only_missed=script_only_missed,
        agreement=(tp + tn) / known if known else 0.0,
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        forecast_mae=sum(errors) / len(errors) if errors else None,
        forecast_within_7=within / len(errors) if errors else None,
        forecasts_scored=len(errors),
        seconds=seconds,
        data_dir=data_dir,
        tiers=list(settings.fetch.tiers),
        forecast_model=settings.promo.forecast.model,
    )


def print_report(report: DemoReport, console: Console) -> None:
    """The demo's summary as a Rich table, and how to open the API."""
    table = Table(title="dealwatch demo: promo job over the sandbox web", show_header=False)
    table.add_row(
        "stores × simulated days", f"{report.stores} × {report.days} = {report.store_days} store-days"
    )
    table.add_row("sale days (truth / found)", f"{report.true_sale_days} / {report.found_sale_days}")
    hint = "" if "browser" in report.tiers else " (add --tiers http,browser)"
    table.add_row("missed: banner drawn by JavaScript only", f"{report.script_only_missed}{hint}")
    table.add_row("fetch tiers", ", ".join(report.tiers))
    table.add_row("unknown days (blocked/failed)", str(report.unknown_days))
    table.add_row("detection agreement with truth", f"{report.agreement:.2%}")
    table.add_row("detection precision / recall", f"{report.precision:.3f} / {report.recall:.3f}")
    if report.forecast_mae is not None and report.forecast_within_7 is not None:
        label = f"next-sale forecast MAE ({report.forecast_model} model)"
        table.add_row(label, f"{report.forecast_mae:.1f} days")
        table.add_row(
            "forecasts within ±7 days", f"{report.forecast_within_7:.1%} of {report.forecasts_scored}"
        )
    table.add_row(
        "run time", f"{report.seconds:.1f} s ({report.store_days / report.seconds:.0f} store-days/s)"
    )
    console.print(table)
    if report.flip is not None:
        console.print(flip_table(report.flip))
    console.print(
        f"Open the API: [bold]dealwatch --data-dir {report.data_dir} serve[/bold] → http://127.0.0.1:8000/docs"
    )
