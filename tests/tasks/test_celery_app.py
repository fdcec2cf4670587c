"""The Celery runner against the real Redis on loopback and a real Celery worker (in a thread)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

pytest.importorskip("celery", reason="the celery extra is not installed")
redis = pytest.importorskip("redis", reason="the celery extra is not installed")

from celery.contrib.testing.worker import start_worker  # noqa: E402

from dealwatch.pipeline import run_daily  # noqa: E402
from dealwatch.promo.models import PromoDay  # noqa: E402
from dealwatch.promo.stores import StoreSpec, import_stores  # noqa: E402
from dealwatch.sandbox import SandboxServer, SandboxWorld  # noqa: E402
from dealwatch.services import Services, build_services  # noqa: E402
from dealwatch.settings import Settings  # noqa: E402
from dealwatch.tasks.celery_app import WorkersFailed, build_celery, run_daily_on_workers  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
DAY = date(2025, 11, 17)  # 3 of the 5 sandbox stores are on sale


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue of this test's own on the real Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    name = f"dealwatch-test-{uuid.uuid4().hex[:10]}"
    yield name
    client.delete(name, *client.keys(f"{name}*"))
    client.close()


@pytest.fixture
def celery_settings(settings: Settings, queue: str) -> Settings:
    tasks = {"runner": "celery", "broker_url": REDIS_URL, "queue": queue, "chunk_size": 2, "timeout": 60}
    return settings.model_copy(update={"tasks": settings.tasks.model_copy(update=tasks)})


def _services(settings: Settings, world: SandboxWorld, sandbox: SandboxServer) -> Services:
    from dealwatch.core.clock import FrozenClock

    services = build_services(settings, FrozenClock.on(DAY))
    specs = [
        StoreSpec(id=s.slug, name=s.name, url=sandbox.store_url(s.slug), selectors=dict(s.selectors))
        for s in world.stores
    ]
    with services.sessions.begin() as session:
        import_stores(session, specs, services.clock)
    return services


def _stored(services: Services) -> dict[str, bool | None]:
    with services.sessions() as session:
        rows = session.scalars(select(PromoDay).where(PromoDay.day == DAY)).all()
        return {row.store_id: row.has_promotion for row in rows}


async def test_workers_run_the_daily_pass_and_store_what_the_inline_runner_stores(
    celery_settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    services = _services(celery_settings, world, sandbox)
    app = build_celery(celery_settings)
    seen: list[str] = []
    try:
        with start_worker(app, pool="solo", perform_ping_check=False):
            summary = run_daily_on_workers(
                services, app, DAY, frozen=True, on_store_done=lambda s: seen.append(s.store_id)
            )
        assert sorted(seen) == sorted(s.slug for s in world.stores)  # 5 stores in 3 chunks of 2
        assert summary.outcomes["ok"] == 5 and summary.day == DAY
        by_workers = _stored(services)
        truth = {s.slug: world.truth(s.slug, DAY).has_promotion for s in world.stores}
        assert by_workers == truth and any(truth.values()) and not all(truth.values())
        # The inline runner re-running the same day gives the same rows (the pass is idempotent).
        await run_daily(services, DAY)
        assert _stored(services) == by_workers
    finally:
        await services.aclose()


async def test_without_workers_the_pass_fails_clearly_and_keeps_what_was_stored(
    celery_settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    services = _services(celery_settings, world, sandbox)
    try:
        await run_daily(services, DAY)
        before = _stored(services)
        quick = celery_settings.model_copy(
            update={"tasks": celery_settings.tasks.model_copy(update={"timeout": 1.0})}
        )
        services.settings = quick
        with pytest.raises(WorkersFailed, match=f"queue '{quick.tasks.queue}'"):
            run_daily_on_workers(services, build_celery(quick), DAY, frozen=True)
        assert _stored(services) == before and len(before) == 5
    finally:
        await services.aclose()


def test_dealwatch_run_sends_the_pass_to_the_workers(
    celery_settings: Settings, world: SandboxWorld, sandbox: SandboxServer
) -> None:
    import asyncio

    from typer.testing import CliRunner

    from dealwatch.cli import app as cli

    services = _services(celery_settings, world, sandbox)
    asyncio.run(services.aclose())
    env = {
        "DEALWATCH_DATABASE_URL": celery_settings.resolved_database_url,
        "DEALWATCH_DATA_DIR": str(celery_settings.data_dir),
        "DEALWATCH_FETCH__TIERS": '["http"]',
        "DEALWATCH_FETCH__PER_HOST_DELAY": "0",
        "DEALWATCH_FETCH__ALLOWED_NETWORKS": '["127.0.0.0/8"]',
        "DEALWATCH_TASKS__RUNNER": "celery",
        "DEALWATCH_TASKS__BROKER_URL": REDIS_URL,
        "DEALWATCH_TASKS__QUEUE": celery_settings.tasks.queue,
    }
    alone = CliRunner().invoke(
        cli, ["run", "--date", DAY.isoformat()], env=env | {"DEALWATCH_TASKS__TIMEOUT": "1"}
    )
    # Sent to the workers, and none is there: a clear error, not a silent inline run.
    assert isinstance(alone.exception, WorkersFailed) and "dealwatch worker" in str(alone.exception)
    workers = build_celery(celery_settings)
    workers.control.purge()
    with start_worker(workers, pool="solo", perform_ping_check=False):
        result = CliRunner().invoke(cli, ["run", "--date", DAY.isoformat()], env=env)
    assert result.exit_code == 0, result.output
    assert "5 stores, 3 on sale, 0 unknown" in result.output
    assert set(_stored(services).values()) == {True, False}
