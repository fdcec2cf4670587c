"""The jobs and the in-process schedule: the daily pass at its UTC time, scans every N minutes, both
started and stopped with `dealwatch serve`'s app; the daily job runs the real pass on the sandbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from dealwatch.core.clock import FrozenClock
from dealwatch.promo.models import PromoDay
from dealwatch.promo.stores import StoreSpec, import_stores
from dealwatch.sandbox import SandboxServer, SandboxWorld
from dealwatch.services import build_services
from dealwatch.settings import ScheduleSettings, Settings
from dealwatch.tasks.jobs import build_scheduler, next_runs
from dealwatch.web.app import create_app

DAY = date(2025, 11, 17)


@pytest.fixture
def scheduled(settings: Settings) -> Settings:
    return settings.model_copy(update={"schedule": ScheduleSettings(daily_at="06:30", scan_every=30)})


async def test_the_daily_pass_runs_at_its_utc_time_and_scans_every_n_minutes(scheduled: Settings) -> None:
    services = build_services(scheduled, FrozenClock.on(DAY))
    try:
        scheduler = build_scheduler(services)
        now = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
        runs = next_runs(scheduler, now)
        assert runs["daily_pass"] == datetime(2025, 11, 16, 6, 30, tzinfo=UTC)  # 06:30 today has gone
        assert next_runs(scheduler, datetime(2025, 11, 15, 6, 0, tzinfo=UTC))["daily_pass"] == datetime(
            2025, 11, 15, 6, 30, tzinfo=UTC
        )
        scan = scheduler.get_job("scan")
        assert scan is not None and scan.trigger.interval == timedelta(minutes=30)
    finally:
        await services.aclose()


async def test_the_daily_job_runs_the_pass(
    settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    services = build_services(settings.model_copy(update={"schedule": ScheduleSettings(daily_at="00:05")}))
    services.clock = FrozenClock.on(DAY)
    specs = [StoreSpec(id=s.slug, name=s.name, url=sandbox.store_url(s.slug)) for s in world.stores]
    with services.sessions.begin() as session:
        import_stores(session, specs, services.clock)
    try:
        job = build_scheduler(services).get_job("daily_pass")
        assert job is not None
        await job.func()
        with services.sessions() as session:
            stored = {r.store_id: r.has_promotion for r in session.scalars(select(PromoDay))}
        assert stored == {s.slug: world.truth(s.slug, DAY).has_promotion for s in world.stores}
    finally:
        await services.aclose()


async def test_serve_starts_the_schedule_and_stops_it(scheduled: Settings, settings: Settings) -> None:
    app = create_app(scheduled, FrozenClock.on(DAY))
    async with app.router.lifespan_context(app):
        scheduler = app.state.scheduler
        assert scheduler.running and {job.id for job in scheduler.get_jobs()} == {"daily_pass", "scan"}
    await asyncio.sleep(0)  # the asyncio scheduler stops on the loop's next turn
    assert not scheduler.running
    plain = create_app(settings, FrozenClock.on(DAY))
    async with plain.router.lifespan_context(plain):
        assert plain.state.scheduler is None  # nothing scheduled: cron `dealwatch run` instead


def test_a_time_of_day_that_is_not_hh_mm_is_refused() -> None:
    for bad in ("7am", "24:00", "06:60", "0630"):
        with pytest.raises(ValidationError, match="HH:MM"):
            ScheduleSettings(daily_at=bad)


async def test_the_celery_runner_without_its_extra_is_a_clear_config_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from dealwatch.core.errors import ConfigError
    from dealwatch.tasks.jobs import daily_pass

    monkeypatch.setitem(sys.modules, "celery", None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "dealwatch.tasks.celery_app", raising=False)
    celery = settings.model_copy(update={"tasks": settings.tasks.model_copy(update={"runner": "celery"})})
    services = build_services(celery, FrozenClock.on(DAY))
    try:
        with pytest.raises(ConfigError, match=r"celery extra"):
            await daily_pass(services, DAY)
    finally:
        await services.aclose()
