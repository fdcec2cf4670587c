"""The `dealwatch` command: thin Typer wrappers over the pipeline and features, with Rich output."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock, SystemClock
from dealwatch.core.errors import DealwatchError
from dealwatch.core.money import Money
from dealwatch.logs import configure_logging
from dealwatch.settings import Settings, load_settings

if TYPE_CHECKING:
    from dealwatch.flip.analytics import FlipAnalytics
    from dealwatch.flip.fees import FeeTables
    from dealwatch.flip.models import InventoryItem
    from dealwatch.promo.models import Review

app = typer.Typer(
    help="dealwatch: self-hosted deal intelligence.", no_args_is_help=True, add_completion=False
)
store_app = typer.Typer(help="Watched stores.", no_args_is_help=True)
search_app = typer.Typer(help="Saved marketplace searches.", no_args_is_help=True)
sandbox_app = typer.Typer(
    help="The simulated web on 127.0.0.1 (demo, tests, benchmarks).", no_args_is_help=True
)
eval_app = typer.Typer(help="Evaluation harnesses (print JSON).", no_args_is_help=True)
corpus_app = typer.Typer(help="Build labelled training corpora.", no_args_is_help=True)
train_app = typer.Typer(help="Train models from labelled data.", no_args_is_help=True)
review_app = typer.Typer(
    help="The review queue: confirm or correct verdicts the detector was unsure of.",
    invoke_without_command=True,
)
inventory_app = typer.Typer(
    help="Bought items followed to their resale: buy, listed, sold, write-off, list.", no_args_is_help=True
)
app.add_typer(store_app, name="store")
app.add_typer(search_app, name="search")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(eval_app, name="eval")
app.add_typer(corpus_app, name="corpus")
app.add_typer(train_app, name="train")
app.add_typer(review_app, name="review")
app.add_typer(inventory_app, name="inventory")

console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="settings file (default ./dealwatch.toml)")
]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="where the database and blobs live")]
DbOpt = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (sqlite:/// or postgresql://)")
]


@dataclass
class _Options:
    """Options given before the command, shared by every command."""

    config: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)


_options = _Options()


@app.callback()
def main_options(config: ConfigOpt = None, data_dir: DataDirOpt = None, database_url: DbOpt = None) -> None:
    """Options every command shares (they override DEALWATCH_* and dealwatch.toml)."""
    _options.config = config
    _options.overrides = {k: v for k, v in {"data_dir": data_dir, "database_url": database_url}.items() if v}


def _settings(**overrides: Any) -> Settings:
    settings = load_settings(_options.config, {**_options.overrides, **overrides})
    configure_logging(settings.log_level, settings.log_json)
    return settings


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


def _pairs(items: list[str] | None, option: str, shape: str) -> dict[str, str]:
    """Repeated `--option KEY=VALUE` values as a dict."""
    pairs: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise typer.BadParameter(f"{option} must be {shape}, got {item!r}")
        pairs[key] = value
    return pairs


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@contextmanager
def _database(settings: Settings | None = None) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database (migrated), closed afterwards."""
    from dealwatch.db import open_database

    engine, sessions = open_database((settings or _settings()).resolved_database_url)
    try:
        yield sessions
    finally:
        engine.dispose()


@app.command()
def init() -> None:
    """Create the data directory and database (migrated to the latest schema)."""
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _database(settings):
        pass
    console.print(f"[green]ready[/green]: database {settings.resolved_database_url}")
    console.print(f"blobs: {settings.resolved_blob_url}")
    console.print("next: [bold]dealwatch store add https://www.example.com --name Example[/bold]")


@store_app.command("add")
def store_add(
    url: str,
    name: Annotated[str, typer.Option(help="display name")],
    store_id: Annotated[str | None, typer.Option("--id", help="id (default: slug of the name)")] = None,
    selector: Annotated[
        list[str] | None, typer.Option(help="KEY=CSS where the banner lives; repeatable")
    ] = None,
    category: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 alpha-2")] = None,
) -> None:
    """Watch a store's home page."""
    from dealwatch.promo.stores import add_store, parse_spec

    selectors = _pairs(selector, "--selector", "KEY=CSS")
    spec = parse_spec(
        {
            "url": url,
            "name": name,
            "id": store_id,
            "selectors": selectors,
            "category": category,
            "country": country,
        },
        source="store add",
    )
    with _database() as sessions, sessions.begin() as session:
        store = add_store(session, spec, SystemClock())
        console.print(f"[green]added[/green] {store.id}: {store.name} <{store.url}>")


@store_app.command("import")
def store_import(path: Path) -> None:
    """Create or update stores from a TOML file of [[stores]] tables (all or nothing)."""
    from dealwatch.promo.stores import import_stores, read_stores_toml

    specs = read_stores_toml(path)
    with _database() as sessions, sessions.begin() as session:
        created, updated = import_stores(session, specs, SystemClock())
    console.print(f"[green]imported[/green] {path}: {created} created, {updated} updated")


@store_app.command("list")
def store_list() -> None:
    """List watched stores."""
    from dealwatch.promo.stores import list_stores

    table = Table("id", "name", "url", "enabled", "last fetched")
    with _database() as sessions, sessions() as session:
        for store in list_stores(session):
            fetched = store.last_fetched_at.strftime("%Y-%m-%d %H:%M") if store.last_fetched_at else "never"
            table.add_row(store.id, store.name, store.url, "yes" if store.enabled else "no", fetched)
    console.print(table)


@search_app.command("add")
def search_add(
    marketplace: Annotated[str, typer.Argument(help="craigslist | facebook | offerup | ebay")],
    query: Annotated[str, typer.Argument(help="what to look for")] = "",
    location: Annotated[
        str | None, typer.Option(help="the marketplace's place code (boston, nyc, ...)")
    ] = None,
    postal_code: Annotated[str | None, typer.Option(help="ZIP / postal code")] = None,
    radius_mi: Annotated[int | None, typer.Option(help="search radius in miles")] = None,
    category: Annotated[str | None, typer.Option(help="the marketplace's category code")] = None,
    min_price: Annotated[float | None, typer.Option()] = None,
    max_price: Annotated[float | None, typer.Option()] = None,
    keyword: Annotated[list[str] | None, typer.Option(help="a listing must mention one; repeatable")] = None,
    antikeyword: Annotated[
        list[str] | None, typer.Option(help="a listing must mention none; repeatable")
    ] = None,
    url: Annotated[str | None, typer.Option(help="a search URL pasted from the browser, used as is")] = None,
    search_id: Annotated[
        str | None, typer.Option("--id", help="id (default: from marketplace, place, query)")
    ] = None,
) -> None:
    """Save a marketplace search."""
    from dealwatch.flip.searches import parse_search, save_searches

    values = {
        "marketplace": marketplace,
        "query": query,
        "location": location,
        "postal_code": postal_code,
        "radius_mi": radius_mi,
        "category": category,
        "min_price": None if min_price is None else str(min_price),
        "max_price": None if max_price is None else str(max_price),
        "keywords": keyword or [],
        "antikeywords": antikeyword or [],
        "url": url,
        "id": search_id,
    }
    spec = parse_search({k: v for k, v in values.items() if v is not None}, "search")
    with _database() as sessions, sessions.begin() as session:
        created, _ = save_searches(session, [spec], SystemClock())
    console.print(f"{'saved' if created else 'updated'} {spec.search_id}: {spec.search_url()}", markup=False)


@search_app.command("import")
def search_import(path: Path) -> None:
    """Create or update saved searches from a TOML file of [[searches]] tables."""
    from dealwatch.flip.searches import read_searches_toml, save_searches

    specs = read_searches_toml(path)
    with _database() as sessions, sessions.begin() as session:
        created, updated = save_searches(session, specs, SystemClock())
    console.print(f"{created} created, {updated} updated")


@search_app.command("list")
def search_list() -> None:
    """List saved searches."""
    from dealwatch.flip.searches import list_searches

    with _database() as sessions, sessions() as session:
        table = Table("id", "marketplace", "query", "place", "price band", "last scanned", "enabled")
        for s in list_searches(session):
            band = f"{s.min_price or ''}–{s.max_price or ''}" if s.min_price or s.max_price else ""
            where = s.location or s.postal_code or ""
            table.add_row(
                s.id,
                s.marketplace,
                s.query or s.category or "",
                where,
                band,
                str(s.last_scanned_at or ""),
                str(s.enabled),
            )
    console.print(table)


@app.command()
def scan(
    search: Annotated[list[str] | None, typer.Option(help="scan only this saved search; repeatable")] = None,
) -> None:
    """Scan the saved marketplace searches once: new listings, price drops, blocks."""
    from dealwatch.pipeline import run_scan
    from dealwatch.services import build_services

    async def go() -> list[Any]:
        services = build_services(_settings())
        try:
            return await run_scan(services, search)
        finally:
            await services.aclose()

    table = Table("search", "outcome", "new", "seen again", "price drops", "filtered", "unreadable", "reason")
    for item in asyncio.run(go()):
        table.add_row(
            item.search_id,
            item.outcome,
            str(item.new),
            str(item.seen_again),
            str(item.price_drops),
            str(item.filtered),
            str(item.failures),
            item.reason or "",
        )
    console.print(table)


@app.command()
def run(
    day: Annotated[str | None, typer.Option("--date", help="the day to record (default today, UTC)")] = None,
    store: Annotated[list[str] | None, typer.Option(help="only these store ids; repeatable")] = None,
) -> None:
    """One daily pass over every enabled store: fetch, detect, record, forecast.

    With `tasks.runner = "celery"` the stores are sent in chunks to `dealwatch worker` processes."""
    on_day = _day(day) if day is not None else None
    from dealwatch.services import build_services
    from dealwatch.tasks.jobs import daily_pass

    settings = _settings()
    clock = FrozenClock.on(on_day) if on_day else SystemClock()
    services = build_services(settings, clock)

    async def go() -> Any:
        with _progress() as progress:
            task = progress.add_task("stores", total=None)

            def done(_: object) -> None:
                progress.advance(task)

            try:
                frozen = on_day is not None
                return await daily_pass(services, on_day, store_ids=store, frozen=frozen, on_store_done=done)
            finally:
                await services.aclose()

    summary = asyncio.run(go())
    table = Table("store", "outcome", "sale", "tier", "note")
    for s in summary.stores:
        sale = "unknown" if s.has_promotion is None else ("yes" if s.has_promotion else "no")
        table.add_row(s.store_id, s.outcome, sale, s.tier or "", s.reason or "")
    console.print(table)
    console.print(
        f"{summary.day}: {len(summary.stores)} stores, {summary.on_sale} on sale, {summary.unknown} unknown, "
        f"{summary.parse_errors} parse errors, outcomes {dict(summary.outcomes)}, {summary.seconds:.1f}s"
    )


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="worker processes (default: one per core)")] = None,
) -> None:
    """Run a Celery worker that takes the daily pass's store chunks (`tasks.runner = "celery"`)."""
    settings = _settings()
    args = ["worker", f"--queues={settings.tasks.queue}", f"--loglevel={settings.log_level}"]
    if concurrency is not None:
        args.append(f"--concurrency={concurrency}")
    from dealwatch.tasks.jobs import celery_app

    celery_app(settings).worker_main(args)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="listen address")] = None,
    port: Annotated[int | None, typer.Option(help="listen port")] = None,
) -> None:
    """Serve the REST API (OpenAPI at /docs)."""
    import uvicorn

    from dealwatch.web.app import create_app

    settings = _settings()
    host, port = host or settings.api.host, port or settings.api.port
    console.print(f"dealwatch API on http://{host}:{port}  (OpenAPI: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@sandbox_app.command("serve")
def sandbox_serve(
    stores: Annotated[int, typer.Option(help="number of simulated stores")] = 30,
    seed: Annotated[int, typer.Option(help="world seed")] = 7,
    port: Annotated[int, typer.Option(help="port (each store gets its own 127.0.0.x address)")] = 8765,
    start: Annotated[str, typer.Option(help="first simulated day")] = "2025-01-01",
    days: Annotated[int, typer.Option(help="simulated days")] = 365,
    fault: Annotated[list[str] | None, typer.Option(help="SLUG=MODE[:params], e.g. shop=slow:0.5")] = None,
    fault_share: Annotated[float, typer.Option(help="share of stores given a random fault mode")] = 0.0,
    listings: Annotated[
        int, typer.Option(help="listings per sandbox marketplace, dated the last day (0: no marketplaces)")
    ] = 60,
) -> None:
    """Serve the simulated stores (and marketplaces) until interrupted."""
    from dealwatch.sandbox import SandboxWorld, serve_forever
    from dealwatch.sandbox.market import SandboxMarket

    first = _day(start)
    faults = _pairs(fault, "--fault", "SLUG=MODE")
    try:
        world = SandboxWorld.generate(
            n_stores=stores, seed=seed, start=first, days=days, faults=faults, fault_share=fault_share
        )
    except (KeyError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    market = SandboxMarket.generate(seed=seed, today=world.end, listings=listings) if listings > 0 else None
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(world, port, market=market))


@sandbox_app.command("export")
def sandbox_export(
    directory: Path,
    stores: Annotated[int, typer.Option(help="number of simulated stores")] = 30,
    seed: Annotated[int, typer.Option(help="world seed")] = 7,
    start: Annotated[str, typer.Option(help="first simulated day")] = "2025-01-01",
    days: Annotated[int, typer.Option(help="simulated days")] = 365,
    every: Annotated[int, typer.Option(help="keep every N-th day")] = 7,
) -> None:
    """Write sandbox home pages and their hidden truth as a labelled set for `dealwatch eval detect`."""
    from dealwatch.sandbox import SandboxWorld
    from dealwatch.sandbox.export import export_labelled

    first = _day(start)
    world = SandboxWorld.generate(n_stores=stores, seed=seed, start=first, days=days)
    written = export_labelled(world, directory, every)
    console.print(f"wrote {written} labelled pages to {directory}")


@app.command()
def demo(
    stores: Annotated[int, typer.Option(help="simulated stores")] = 30,
    days: Annotated[int, typer.Option(help="simulated days")] = 365,
    start: Annotated[str, typer.Option(help="first simulated day")] = "2025-01-01",
    seed: Annotated[int, typer.Option(help="world seed")] = 7,
    out: Annotated[Path, typer.Option(help="data directory for the demo (wiped first)")] = Path("demo-data"),
    tiers: Annotated[
        str,
        typer.Option(help="fetch tiers, comma-separated; add ,browser for JavaScript-only banners"),
    ] = "http",
    listings: Annotated[
        int, typer.Option(help="listings per sandbox marketplace for the flip job (0: promo job only)")
    ] = 60,
) -> None:
    """Run the promo job over the sandbox for a simulated year, then the flip job over its
    marketplaces, and report how both did against the hidden truth."""
    from dealwatch.demo import print_report, run_demo

    configure_logging("WARNING")
    first = _day(start)
    tier_list = _csv(tiers)
    report = run_demo(
        stores=stores,
        days=days,
        start=first,
        seed=seed,
        data_dir=out,
        tiers=tier_list,
        console=console,
        listings=listings,
    )
    print_report(report, console)


@eval_app.command("detect")
def eval_detect(
    directory: Path,
    tiers: Annotated[str | None, typer.Option(help="comma-separated tiers (default: settings)")] = None,
    render: Annotated[
        bool, typer.Option(help="render pages that need JavaScript in Chromium first (the browser tier)")
    ] = False,
) -> None:
    """Score the detector on labelled pages: DIR/labels.jsonl + the page files. Prints one JSON object."""
    from dealwatch.eval.detect import evaluate_directory

    settings = _settings()
    tier_list = _csv(tiers) if tiers else None
    print(json.dumps(evaluate_directory(directory, settings, tier_list, render=render)))


@eval_app.command("forecast")
def eval_forecast(
    file: Path,
    horizon: Annotated[int, typer.Option(help="days ahead a next sale is looked for")] = 90,
    models: Annotated[str | None, typer.Option(help="comma-separated models (default: all)")] = None,
) -> None:
    """Backtest the forecast models on FILE.csv (series_id,date,promo). Prints one JSON object."""
    from dealwatch.eval.forecast import evaluate_forecast

    model_list = _csv(models) if models else None
    print(json.dumps(evaluate_forecast(file, horizon, model_list)))


@corpus_app.command("detect")
def corpus_detect(
    out: Path,
    seed: Annotated[int, typer.Option(help="corpus seed")] = 7,
    pages: Annotated[int, typer.Option(help="pages to render (train + test)")] = 6000,
    phrases: Annotated[
        Path | None, typer.Option(help="phrase directory (default: the shipped phrases)")
    ] = None,
) -> None:
    """Render the multilingual labelled phrases into pages: OUT/train and OUT/test (never trained on)."""
    from dealwatch.promo.detect.corpus import PHRASES_DIR, build_corpus

    summary = build_corpus(out, seed=seed, pages=pages, progress=True, phrases_dir=phrases or PHRASES_DIR)
    console.print(f"wrote {out}/train and {out}/test: {summary}")


@train_app.command("detect")
def train_detect(
    datasets: Annotated[list[Path], typer.Argument(help="labelled directories (labels.jsonl + pages)")],
    out: Annotated[
        Path, typer.Option(help="model file to write (.json; weights go beside it as .npz)")
    ] = Path("detect-model.json"),
    test: Annotated[
        list[Path] | None, typer.Option(help="labelled directory to score the model on (never trained on)")
    ] = None,
) -> None:
    """Train the ml tier and calibrate every tier; prints the model's info and test metrics as JSON."""
    from dealwatch.promo.detect.training import train_detect as train

    settings = _settings()
    info = train(
        datasets,
        out,
        SystemClock(),
        tests=test or [],
        thresholds=settings.promo.detect.thresholds,
        progress=True,
    )
    print(json.dumps({key: value for key, value in info.items() if key != "calibration"}))
    err_console.print(f'model written to {out} (use it with promo.detect.model = "{out}")')


@review_app.callback()
def review(ctx: typer.Context) -> None:
    """Go through pending reviews one by one: y = sale, n = no sale, s = skip, q = quit."""
    if ctx.invoked_subcommand is not None:
        return
    from dealwatch.promo.review import Answer, decide_review, list_reviews

    decided = 0
    with _database() as sessions, sessions.begin() as session:
        pending = list_reviews(session)
        if not pending:
            console.print("no pending reviews")
            return
        for item in pending:
            _show_review(item)
            choice = typer.prompt("sale on this page? [y/n/s/q]", default="s").strip().lower()
            if choice == "q":
                break
            if choice not in ("y", "n"):
                continue
            text = None
            if choice == "y":
                text = typer.prompt("promotion text", default=item.proposed.get("promotion_text") or "")
            decide_review(session, item.id, Answer(choice == "y", promotion_text=text or None), SystemClock())
            decided += 1
    console.print(f"decided {decided} of {len(pending)} pending reviews")


def _show_review(item: Review) -> None:
    proposed = item.proposed
    console.rule(f"review {item.id}: {item.store_id} on {item.day}")
    console.print(f"page: {item.url}", markup=False)
    verdict = {True: "sale", False: "no sale", None: "undecided"}[proposed.get("has_promotion")]
    how = f"{proposed.get('tier')}, confidence {proposed.get('confidence')}"
    console.print(f"machine says: [bold]{verdict}[/bold] ({how})")
    if proposed.get("promotion_text"):
        console.print("text:", proposed["promotion_text"], markup=False)
    console.print("evidence:", ", ".join(proposed.get("evidence") or []), markup=False)


@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="pending | confirmed | corrected | all")] = "pending",
) -> None:
    """List reviews."""
    from dealwatch.promo.review import list_reviews

    with _database() as sessions, sessions() as session:
        rows = list_reviews(session, None if status == "all" else status, limit=1000)
        table = Table("id", "store", "day", "status", "machine", "confidence", "text")
        for item in rows:
            table.add_row(
                str(item.id),
                item.store_id,
                str(item.day),
                item.status,
                str(item.proposed.get("has_promotion")),
                str(item.proposed.get("confidence")),
                item.promotion_text or item.proposed.get("promotion_text") or "",
            )
    console.print(table)


@review_app.command("decide")
def review_decide(
    review_id: int,
    sale: Annotated[bool, typer.Option("--sale/--no-sale", help="is a site-wide sale on this page?")],
    promotion_type: Annotated[str | None, typer.Option("--type", help="promotion type")] = None,
    text: Annotated[str | None, typer.Option(help="the banner text, copied from the page")] = None,
    reviewer: Annotated[str | None, typer.Option(help="who decided")] = None,
) -> None:
    """Confirm or correct one review; the answer becomes that day's verdict."""
    from dealwatch.promo.review import Answer, decide_review

    with _database() as sessions, sessions.begin() as session:
        item = decide_review(session, review_id, Answer(sale, promotion_type, text, reviewer), SystemClock())
        console.print(f"review {item.id}: {item.status}")


@review_app.command("export")
def review_export(out: Path) -> None:
    """Write decided reviews as a labelled directory for `dealwatch train detect`."""
    from dealwatch.promo.review import export_reviews
    from dealwatch.snapshots.store import BlobStore

    settings = _settings()
    with _database(settings) as sessions, sessions() as session:
        written = export_reviews(session, BlobStore(settings.resolved_blob_url), out)
    console.print(f"wrote {written} labelled pages to {out}")


@eval_app.command("value")
def eval_value(file: Path) -> None:
    """Value sold items (CSV or Parquet: name,brand,category,condition,price) against an 80/20 split of
    themselves, beside the category+brand median baseline. Prints one JSON object."""
    from dealwatch.eval.value import evaluate_value

    print(json.dumps(evaluate_value(file)))


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise typer.BadParameter(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise typer.BadParameter(f"not an amount: {value!r}")
    return amount


def _money(value: str | None, currency: str) -> Money | None:
    amount = _amount(value)
    return None if amount is None else Money(amount, currency)


def _moment(value: str | None) -> datetime | None:
    """A date (midnight UTC) or an ISO date-time (UTC when it names no zone)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a date or date-time (YYYY-MM-DD[THH:MM]): {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


AmountOpt = Annotated[str | None, typer.Option(help="amount, e.g. 12.50")]
WhenOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD or ISO date-time (default now)")]
CurrencyOpt = Annotated[str, typer.Option(help="ISO currency of the amounts")]


def _inventory_line(item: InventoryItem) -> str:
    cost = item.cost + item.extra_costs
    line = f"item {item.id}: {item.title} [{item.status}] cost {cost:.2f} {item.currency}"
    if item.status == "sold":
        line += (
            f"; sold {item.sale_price:.2f} on {item.marketplace}, fees {item.fees:.2f}, "
            f"realised profit {item.realised_profit:.2f} {item.currency} in {item.days_to_sell} days"
        )
    elif item.status == "written_off" and item.written_off_at is not None:
        line += (
            f"; written off {item.written_off_at:%Y-%m-%d}, "
            f"realised profit {item.realised_profit:.2f} {item.currency}"
        )
    elif item.status == "listed":
        line += f"; listed on {item.marketplace} at {item.ask_price:.2f}"
    return line


@contextmanager
def _inventory_step() -> Iterator[tuple[Session, FeeTables]]:
    """One inventory step's transaction, with the fee tables that cost its sales."""
    from dealwatch.flip.fees import load_fee_tables

    settings = _settings()
    tables = load_fee_tables(settings.flip.fee_tables_dir)
    with _database(settings) as sessions, sessions.begin() as session:
        yield session, tables


@inventory_app.command("buy")
def inventory_buy(
    opportunity: Annotated[int | None, typer.Option(help="the opportunity bought")] = None,
    listing: Annotated[int | None, typer.Option(help="the listing bought, if not via an opportunity")] = None,
    title: Annotated[str | None, typer.Option(help="what was bought (default: the listing's title)")] = None,
    cost: Annotated[str | None, typer.Option(help="price paid (default: the listing's price)")] = None,
    extra: AmountOpt = None,
    currency: CurrencyOpt = "USD",
    category: Annotated[str | None, typer.Option(help="fee-table category (e.g. watches)")] = None,
    when: WhenOpt = None,
    by: Annotated[str | None, typer.Option(help="who bought it")] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a purchase (after confirming a buy): the item enters the inventory."""
    from dealwatch.flip.inventory import Purchase, record_purchase

    purchase = Purchase(
        opportunity_id=opportunity,
        listing_id=listing,
        title=title,
        cost=_money(cost, currency),
        extra_costs=_money(extra, currency),
        category=category,
        at=_moment(when),
        by=by,
        note=note,
    )
    with _inventory_step() as (session, tables):
        item = record_purchase(session, purchase, SystemClock().now(), tables)
        console.print(_inventory_line(item), markup=False)


@inventory_app.command("listed")
def inventory_listed(
    item_id: int,
    marketplace: Annotated[str, typer.Argument(help="where it is listed (a fee table: ebay, facebook, ...)")],
    ask: Annotated[str, typer.Argument(help="asking price")],
    url: Annotated[str | None, typer.Option(help="the resale listing's URL")] = None,
    when: WhenOpt = None,
) -> None:
    """Record that a bought item is listed for resale (again: a new ask or marketplace)."""
    from dealwatch.flip.inventory import ResaleListing, get_item, record_listing

    with _inventory_step() as (session, tables):
        currency = get_item(session, item_id).currency
        listing = ResaleListing(marketplace, Money(_amount(ask) or Decimal(0), currency), url, _moment(when))
        item = record_listing(session, item_id, listing, SystemClock().now(), tables)
        console.print(_inventory_line(item), markup=False)


@inventory_app.command("sold")
def inventory_sold(
    item_id: int,
    price: Annotated[str, typer.Argument(help="sale price (without shipping charged)")],
    marketplace: Annotated[str | None, typer.Option(help="where it sold (default: where listed)")] = None,
    fees: Annotated[str | None, typer.Option(help="fees paid (default: the marketplace's fee table)")] = None,
    shipping_cost: Annotated[str | None, typer.Option(help="the shipping label paid")] = None,
    shipping_charged: Annotated[str | None, typer.Option(help="shipping the buyer paid on top")] = None,
    shipped: Annotated[
        bool | None, typer.Option("--shipped/--pickup", help="default: shipped if a shipping amount is given")
    ] = None,
    when: WhenOpt = None,
) -> None:
    """Record a sale: fees, realised profit and days to sell are computed."""
    from dealwatch.flip.inventory import Sale, get_item, record_sale

    with _inventory_step() as (session, tables):
        currency = get_item(session, item_id).currency
        sale = Sale(
            price=Money(_amount(price) or Decimal(0), currency),
            marketplace=marketplace,
            fees=_money(fees, currency),
            shipping_cost=_money(shipping_cost, currency),
            shipping_charged=_money(shipping_charged, currency),
            shipped=shipped,
            at=_moment(when),
        )
        item = record_sale(session, item_id, sale, SystemClock().now(), tables)
        console.print(_inventory_line(item), markup=False)


@inventory_app.command("write-off")
def inventory_write_off(
    item_id: int,
    reason: Annotated[
        str, typer.Option(help="why: broken, lost, returned for a partial refund, donated, ...")
    ],
    recovered: Annotated[str | None, typer.Option(help="money got back (partial refund, scrap sale)")] = None,
    when: Annotated[
        str | None, typer.Option("--at", "--date", help="YYYY-MM-DD or ISO date-time (default now)")
    ] = None,
    by: Annotated[str | None, typer.Option(help="who wrote it off")] = None,
) -> None:
    """Write off an item that will never sell: its loss (recovered − cost − extra costs) is realised."""
    from dealwatch.flip.inventory import WriteOff, get_item, record_write_off

    with _inventory_step() as (session, _):
        currency = get_item(session, item_id).currency
        write_off = WriteOff(reason, _money(recovered, currency), _moment(when), by)
        item = record_write_off(session, item_id, write_off, SystemClock().now())
        console.print(_inventory_line(item), markup=False)


@inventory_app.command("list")
def inventory_list(
    status: Annotated[
        str | None, typer.Option(help="purchased | listed | sold | written_off (default: all)")
    ] = None,
) -> None:
    """List the inventory, most recently bought first."""
    from dealwatch.flip.inventory import list_items

    table = Table("id", "title", "status", "cost", "bought", "marketplace", "ask / sold", "profit", "days")
    with _database() as sessions, sessions() as session:
        for item in list_items(session, status):
            price = item.sale_price if item.status == "sold" else item.ask_price
            table.add_row(
                str(item.id),
                item.title,
                item.status,
                f"{item.cost + item.extra_costs:.2f} {item.currency}",
                item.purchased_at.strftime("%Y-%m-%d"),
                item.marketplace or "",
                f"{price:.2f}" if price is not None else "",
                f"{item.realised_profit:.2f}" if item.realised_profit is not None else "",
                str(item.days_to_sell) if item.days_to_sell is not None else "",
            )
    console.print(table)


@app.command()
def analytics(
    since: Annotated[str | None, typer.Option(help="from this date (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="until this date, excluded (YYYY-MM-DD)")] = None,
) -> None:
    """Flip analytics: listings scanned, opportunities by score band, conversion, profit per month,
    score calibration and valuation error."""
    from dealwatch.flip.analytics import flip_analytics

    with _database() as sessions, sessions() as session:
        report = flip_analytics(session, _moment(since), _moment(until))
    _print_analytics(report)


def _print_analytics(report: FlipAnalytics) -> None:
    scanned = ", ".join(f"{m} {n}" for m, n in report.listings_by_marketplace.items())
    console.print(f"listings scanned: {report.listings_scanned}" + (f" ({scanned})" if scanned else ""))
    funnel = Table(
        "score band",
        "opportunities",
        "bought",
        "sold",
        "written off",
        title="opportunities ► bought ► sold or written off",
    )
    for band in report.opportunities_by_band:
        funnel.add_row(
            band.band, str(band.opportunities), str(band.bought), str(band.sold), str(band.written_off)
        )
    c = report.conversion
    bought, sold = f"{c.bought} ({_share(c.bought_rate)})", f"{c.sold} ({_share(c.sold_rate)})"
    written_off = f"{c.written_off} ({_share(c.written_off_rate)})"
    funnel.add_row("all", str(c.opportunities), bought, sold, written_off)
    console.print(funnel)
    months = Table(
        "month",
        "sold",
        "written off",
        "revenue",
        "realised profit",
        "mean days to sell",
        title="profit per month",
    )
    for m in report.profit_by_month:
        days = f"{m.mean_days_to_sell:.1f}" if m.mean_days_to_sell is not None else ""
        months.add_row(m.month, str(m.sold), str(m.written_off), str(m.revenue), str(m.realised_profit), days)
    console.print(months)
    calibration = Table(
        "bought at score",
        "sold",
        "written off",
        "profitable",
        "expected profit",
        "realised profit",
        "per item",
        title="score calibration",
    )
    for b in report.calibration:
        calibration.add_row(
            b.band,
            str(b.sold),
            str(b.written_off),
            str(b.profitable),
            str(b.expected_profit or "n/a"),
            str(b.realised_profit),
            str(b.mean_realised_profit),
        )
    console.print(calibration)
    error = report.valuation_error
    if error.count:
        console.print(
            f"valuation error over {error.count} sales: median {_share(error.mdape)}, "
            f"bias {_share(error.bias)} (above 0: estimates ran high)"
        )
    else:
        console.print("valuation error: no sold item with an estimate yet")
    stock = ", ".join(f"{line.status} {line.items} ({line.cost})" for line in report.stock)
    console.print(f"inventory: {stock or 'empty'}")


def _share(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "n/a"


def main() -> None:
    """Entry point: dealwatch errors print one clear line and exit 2, never a traceback."""
    try:
        app()
    except DealwatchError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(2) from None
