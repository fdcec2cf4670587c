"""build_services(settings): engine, clock, blob store, fetch ladder, detectors, forecaster, comps source,
fee tables and notifier, built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.alerts.notify import Alert, Notifier, alert, build_notifier
from dealwatch.core.clock import Clock, SystemClock
from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.db import open_database
from dealwatch.fetch.tiers import Ladder, build_ladder
from dealwatch.flip.comps import CachedComps, CompsSource, EbaySold, WithOwnSales
from dealwatch.flip.fees import FeeTables, load_fee_tables
from dealwatch.flip.images import PhotoFetcher, build_photo_fetcher
from dealwatch.flip.inventory import sold_since
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.marketplaces.ebay import Ebay
from dealwatch.flip.ocr import Tesseract, build_ocr
from dealwatch.flip.opportunities import FlipRules
from dealwatch.llm.base import LLMClient
from dealwatch.llm.budget import DatabaseLedger
from dealwatch.llm.factory import build_llm
from dealwatch.promo.detect.cascade import Cascade, build_cascade
from dealwatch.promo.forecast import Forecaster, build_forecaster
from dealwatch.settings import Settings
from dealwatch.snapshots.store import BlobStore
from dealwatch.tasks.runner import InlineRunner, TaskRunner

log = structlog.get_logger(__name__)


@dataclass
class Services:
    """Everything the pipeline needs, built from settings."""

    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    fetcher: Ladder
    detector: Cascade
    forecaster: Forecaster
    runner: TaskRunner
    comps: CompsSource
    fees: FeeTables
    flip: FlipRules
    notifier: Notifier | None
    llm: LLMClient | None  # the evaluation of finds (None without a provider); budget shared with detection
    photos: PhotoFetcher | None = None  # listing photo downloads (None when flip.images.enabled is off)
    ocr: Tesseract | None = None  # the optional OCR tier (None without pytesseract or tesseract)

    async def aclose(self) -> None:
        """Close network clients and the database pool."""
        await self.fetcher.aclose()
        self.detector.close()
        if self.photos is not None:
            await self.photos.aclose()
        if self.llm is not None:
            await self.llm.aclose()
        self.engine.dispose()


def _forecaster(settings: Settings) -> Forecaster:
    try:
        return build_forecaster(settings.promo.forecast.model)
    except NotConfigured as exc:
        raise ConfigError(f"promo.forecast.model: {exc}") from exc


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Build every service the pipeline uses; the schema is migrated on the way."""
    clock = clock or SystemClock()
    engine, sessions = open_database(settings.resolved_database_url)
    blobs = BlobStore(settings.resolved_blob_url)
    fetcher = build_ladder(settings, clock)
    notifier = _notifier(settings)
    new_llm = _llm_factory(settings, clock, sessions, notifier)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        blobs=blobs,
        fetcher=fetcher,
        detector=build_cascade(settings, clock=clock, new_llm=new_llm),
        forecaster=_forecaster(settings),
        runner=InlineRunner(settings.fetch.concurrency),
        comps=WithOwnSales(
            CachedComps(EbaySold(fetcher, Ebay(base=settings.flip.comps_url)), blobs),
            lambda since: _own_sales(sessions, since),
            window=timedelta(days=settings.flip.window_days),
        ),
        fees=load_fee_tables(settings.flip.fee_tables_dir),
        flip=_flip_rules(settings),
        notifier=notifier,
        llm=_llm(new_llm),
        photos=_photos(settings),
        ocr=_ocr(settings),
    )


def _own_sales(sessions: sessionmaker[Session], since: datetime) -> list[ListingDraft]:
    with sessions() as session:
        return sold_since(session, since)


def _llm_factory(
    settings: Settings, clock: Clock, sessions: sessionmaker[Session], notifier: Notifier | None
) -> Callable[[], LLMClient]:
    """Makes the LLM clients (the flip job's, the detection tier's: each runs on its own event loop),
    all sharing one daily budget kept in the database, across worker processes too; spending it
    sends an alert. The factory raises NotConfigured without a provider."""

    def budget_spent(spent: Decimal, limit: Decimal) -> None:
        message = Alert(
            key="llm:budget",
            fingerprint=clock.now().date().isoformat(),  # at most one alert a day
            title="dealwatch: LLM budget spent, LLM tier paused",
            body=f"${spent:.2f} spent of the ${limit} allowed in 24 h (llm.daily_budget_usd). Detection "
            "and the evaluation of finds go on without the LLM until the spend falls below it.",
        )
        with sessions.begin() as session:
            alert(session, notifier, message, clock)

    ledger = DatabaseLedger(sessions)
    return lambda: build_llm(settings.llm, clock, on_budget_trip=budget_spent, ledger=ledger)


def _llm(new_llm: Callable[[], LLMClient]) -> LLMClient | None:
    try:
        return new_llm()
    except NotConfigured:
        return None


def _photos(settings: Settings) -> PhotoFetcher | None:
    try:
        return build_photo_fetcher(settings.fetch, settings.flip.images)
    except NotConfigured as exc:
        log.info("listing photos are not downloaded", reason=str(exc))
        return None


def _ocr(settings: Settings) -> Tesseract | None:
    if not settings.flip.images.enabled:
        return None
    try:
        return build_ocr(settings.flip.images)
    except NotConfigured as exc:
        log.info("OCR tier off: photos are not read", reason=str(exc))
        return None


def _flip_rules(settings: Settings) -> FlipRules:
    f = settings.flip
    return FlipRules(
        sell_on=f.sell_on,
        shipped=f.sell_shipped,
        target_profit=f.target_profit,
        travel_rate=f.travel_rate,
        buy_at=f.buy_at,
        review_at=f.review_at,
        min_comps=f.min_comps,
        window_days=f.window_days,
    )


def _notifier(settings: Settings) -> Notifier | None:
    try:
        return build_notifier(settings.alerts.urls)
    except NotConfigured:
        return None
