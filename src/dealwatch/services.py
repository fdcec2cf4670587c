"""build_services(settings): engine, clock, blob store, fetch ladder, detectors, forecaster, comps source,
fee tables and notifier, built once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.alerts.notify import Notifier, build_notifier
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
    llm: LLMClient | None  # the optional LLM evaluation of finds (None without a provider)
    photos: PhotoFetcher | None = None  # listing photo downloads (None when flip.images.enabled is off)
    ocr: Tesseract | None = None  # the optional OCR tier (None without pytesseract or tesseract)

    async def aclose(self) -> None:
        """Close network clients and the database pool."""
        await self.fetcher.aclose()
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
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        blobs=blobs,
        fetcher=fetcher,
        detector=build_cascade(settings, clock=clock),
        forecaster=_forecaster(settings),
        runner=InlineRunner(settings.fetch.concurrency),
        comps=WithOwnSales(
            CachedComps(EbaySold(fetcher, Ebay(base=settings.flip.comps_url)), blobs),
            lambda since: _own_sales(sessions, since),
            window=timedelta(days=settings.flip.window_days),
        ),
        fees=load_fee_tables(settings.flip.fee_tables_dir),
        flip=_flip_rules(settings),
        notifier=_notifier(settings),
        llm=_llm(settings, clock),
        photos=_photos(settings),
        ocr=_ocr(settings),
    )


def _own_sales(sessions: sessionmaker[Session], since: datetime) -> list[ListingDraft]:
    with sessions() as session:
        return sold_since(session, since)


def _llm(settings: Settings, clock: Clock) -> LLMClient | None:
    try:
        return build_llm(settings.llm, clock)
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
