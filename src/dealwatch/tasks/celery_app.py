"""The Celery runner: `dealwatch run` sends the day's stores in chunks to `dealwatch worker` processes.

Each task runs the same pipeline function as the inline runner (`pipeline.run_daily` over its chunk of
stores) on the worker, which reads its own settings (environment, dealwatch.toml): nothing secret
travels through the broker, only store ids and the day. Results come back as plain JSON and are put
together into one `RunSummary`. Needs the `celery` extra and a Redis broker (`tasks.broker_url`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from celery import Celery, group

from dealwatch.core.clock import Clock, FrozenClock, SystemClock
from dealwatch.core.errors import DealwatchError
from dealwatch.pipeline import RunSummary, StoreDay, run_daily
from dealwatch.promo.stores import stores_for_pass
from dealwatch.services import Services, build_services
from dealwatch.settings import Settings

DAILY_PASS = "dealwatch.daily_pass"


class WorkersFailed(DealwatchError):
    """The workers did not finish the daily pass (a task failed or the wait timed out)."""


def build_celery(settings: Settings) -> Celery:
    """The Celery app for `settings`: JSON only, one task at a time per worker process, acks late
    (a chunk whose worker died is run again; the pass is idempotent per store and day)."""
    app = Celery("dealwatch", broker=settings.tasks.broker_url, backend=settings.tasks.broker_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.tasks.queue,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
    )

    @app.task(name=DAILY_PASS, shared=False)  # each app runs with its own settings
    def daily_pass(store_ids: list[str], day: str, frozen: bool) -> dict[str, Any]:
        """Run the daily pass over `store_ids` on this worker; `frozen`: the clock stands on `day`."""
        on_day = date.fromisoformat(day)
        clock: Clock = FrozenClock.on(on_day) if frozen else SystemClock()
        return asyncio.run(_daily_pass(build_services(settings, clock), store_ids, on_day))

    return app


async def _daily_pass(services: Services, store_ids: list[str], day: date) -> dict[str, Any]:
    try:
        summary = await run_daily(services, day, store_ids=store_ids)
    finally:
        await services.aclose()
    return {"stores": [dataclasses.asdict(s) for s in summary.stores], "cost": str(summary.cost)}


def run_daily_on_workers(
    services: Services,
    app: Celery,
    day: date,
    *,
    store_ids: Sequence[str] | None = None,
    frozen: bool = False,
    on_store_done: Callable[[StoreDay], None] | None = None,
) -> RunSummary:
    """The daily pass over the enabled stores (or the given ones), run by the workers in chunks."""
    with services.sessions() as session:
        ids = [store.id for store in stores_for_pass(session, store_ids)]
    tasks = services.settings.tasks
    chunks = [ids[i : i + tasks.chunk_size] for i in range(0, len(ids), tasks.chunk_size)]
    started = time.perf_counter()
    summary = RunSummary(day=day)
    if not chunks:
        return summary
    results = group(app.signature(DAILY_PASS, (chunk, day.isoformat(), frozen)) for chunk in chunks)()
    deadline = time.monotonic() + tasks.timeout
    try:
        for result in results.results:
            done = result.get(timeout=max(0.1, deadline - time.monotonic()))
            for row in done["stores"]:
                store_day = StoreDay(**row)
                summary.stores.append(store_day)
                if on_store_done is not None:
                    on_store_done(store_day)
            summary.cost += Decimal(done["cost"])
    except Exception as exc:
        raise WorkersFailed(
            f"the workers did not finish the daily pass of {day} ({len(summary.stores)} of {len(ids)} "
            f"stores back): {type(exc).__name__}: {exc}. Is `dealwatch worker` running on queue "
            f"{tasks.queue!r} of the broker at tasks.broker_url?"
        ) from exc
    summary.seconds = time.perf_counter() - started
    return summary
