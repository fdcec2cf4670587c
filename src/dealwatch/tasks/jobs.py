"""The jobs `dealwatch run` and the schedule start, and the in-process schedule `dealwatch serve` keeps.

`daily_pass` runs the store pass on the configured runner: in this process (`tasks.runner = "inline"`)
or on Celery workers. `build_scheduler` (APScheduler, on the serving process's event loop) runs it every
day at `schedule.daily_at` (UTC) and a marketplace scan every `schedule.scan_every` minutes; a run
still going when its next turn comes is not started twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from dealwatch.core.clock import today
from dealwatch.core.errors import ConfigError
from dealwatch.pipeline import RunSummary, StoreDay, run_daily, run_scan
from dealwatch.services import Services
from dealwatch.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = structlog.get_logger(__name__)

Job = Callable[[Services], Awaitable[object]]


async def daily_pass(
    services: Services,
    day: date | None = None,
    *,
    store_ids: Sequence[str] | None = None,
    frozen: bool = False,
    on_store_done: Callable[[StoreDay], None] | None = None,
) -> RunSummary:
    """The daily pass over the enabled stores (or the given ones) on the configured runner.

    `frozen`: the clock stands on `day` (a backfill); workers then freeze theirs on it too."""
    if services.settings.tasks.runner == "inline":
        return await run_daily(services, day, store_ids=store_ids, on_store_done=on_store_done)
    workers = celery_app(services.settings)  # a clear error without the celery extra
    from dealwatch.tasks.celery_app import run_daily_on_workers

    return await asyncio.to_thread(
        run_daily_on_workers,
        services,
        workers,
        day or today(services.clock),
        store_ids=store_ids,
        frozen=frozen,
        on_store_done=on_store_done,
    )


def celery_app(settings: Settings) -> Celery:
    """The Celery app of `settings` (`tasks.*`); ConfigError without the `celery` extra."""
    try:
        from dealwatch.tasks.celery_app import build_celery
    except ImportError as exc:
        raise ConfigError(
            f"tasks.runner = celery needs the celery extra (pip install 'dealwatch[celery]'): {exc}"
        ) from None
    return build_celery(settings)


def build_scheduler(services: Services) -> AsyncIOScheduler:
    """The schedule of `schedule.*` (see the module docstring), not started."""
    schedule = services.settings.schedule
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"max_instances": 1, "coalesce": True})
    if schedule.daily_at is not None:
        hour, minute = (int(part) for part in schedule.daily_at.split(":"))
        trigger = CronTrigger(hour=hour, minute=minute, timezone="UTC")
        scheduler.add_job(_logged(daily_pass, services), trigger, id="daily_pass", name="daily store pass")
    if schedule.scan_every:
        every = IntervalTrigger(minutes=schedule.scan_every, timezone="UTC")
        scheduler.add_job(_logged(run_scan, services), every, id="scan", name="marketplace scan")
    return scheduler


def next_runs(scheduler: AsyncIOScheduler, now: datetime) -> dict[str, datetime | None]:
    """When each scheduled job runs next after `now` (a tz-aware time), by job id."""
    return {job.id: job.trigger.get_next_fire_time(None, now) for job in scheduler.get_jobs()}


def _logged(
    job: Callable[[Services], Awaitable[object]], services: Services
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        log.info("scheduled job starting", job=job.__name__)
        try:
            await job(services)
        except Exception:  # the schedule goes on; the next turn tries again
            log.exception("scheduled job failed", job=job.__name__)

    run.__name__ = job.__name__
    return run
