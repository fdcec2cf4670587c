from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import dealwatch.models  # noqa: F401  (every feature's tables on Base.metadata)
from dealwatch.db import Base
from dealwatch.db.engine import alembic_config, migrate
from dealwatch.promo.models import PromoDay, Store

TABLES = {
    "stores",
    "fetch_attempts",
    "snapshots",
    "promo_days",
    "predictions",
    "reviews",
    "searches",
    "listings",
    "alert_deliveries",
    "llm_spend",
}


def test_migrations_upgrade_downgrade_and_are_idempotent(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    migrate(engine)  # a second run changes nothing
    command.downgrade(alembic_config(engine), "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    # Every table, column, type, index and foreign key the features declare exists as migrated.
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_in_wal_mode(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def _store(created: datetime) -> Store:
    return Store(id="acme", name="Acme", url="https://acme.example/", selectors={}, created_at=created)


def test_one_row_per_store_per_day(sessions: sessionmaker[Session]) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    with sessions.begin() as session:
        session.add(_store(now))
    row = {
        "store_id": "acme",
        "day": date(2025, 1, 1),
        "fetch_outcome": "ok",
        "detected_at": now,
        "evidence": [],
    }
    with sessions.begin() as session:
        session.add(PromoDay(**row))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(PromoDay(**row))


def test_timestamps_come_back_tz_aware_utc(sessions: sessionmaker[Session]) -> None:
    paris = timezone(timedelta(hours=1))
    with sessions.begin() as session:
        session.add(_store(datetime(2025, 1, 1, 10, 0, tzinfo=paris)))
    with sessions() as session:
        store = session.get(Store, "acme")
        assert store is not None
        assert store.created_at == datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
        assert store.created_at.tzinfo is not None
    with pytest.raises(Exception, match="naive"), sessions.begin() as session:
        bad = _store(datetime(2025, 1, 1))  # noqa: DTZ001
        bad.id = "naive"
        session.add(bad)
