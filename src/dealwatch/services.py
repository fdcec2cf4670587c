"""build_services(settings): engine, clock, blob store, fetch ladder, detectors and forecaster, built once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import Clock, SystemClock
from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.db import open_database
from dealwatch.fetch.tiers import Ladder, build_ladder
from dealwatch.promo.detect.cascade import Cascade, build_cascade
from dealwatch.promo.forecast import Forecaster, build_forecaster
from dealwatch.settings import Settings
from dealwatch.snapshots.store import BlobStore
from dealwatch.tasks.runner import InlineRunner, TaskRunner


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

    async def aclose(self) -> None:
        """Close network clients and the database pool."""
        await self.fetcher.aclose()
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
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        blobs=BlobStore(settings.resolved_blob_url),
        fetcher=build_ladder(settings, clock),
        detector=build_cascade(settings, clock=clock),
        forecaster=_forecaster(settings),
        runner=InlineRunner(settings.fetch.concurrency),
    )
