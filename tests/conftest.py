"""Shared fixtures: a real database on SQLite and PostgreSQL, settings in a temp dir, a frozen clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.db import Base, create_db_engine, migrate, session_factory
from dealwatch.settings import Settings
from dealwatch.testing import LoopbackServer, SwappableApp

PG_ADMIN_URL = os.environ.get("DEALWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"
    return None


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own for this test session (and xdist worker), dropped at the end."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    name = f"dealwatch_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on both databases; each test starts from an empty, migrated schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dealwatch.db'}"
        return
    url: str = request.getfixturevalue("pg_database")
    yield url
    engine = create_db_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """CLI tests configure logging against pytest's captured streams; undo it after each test."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 11, 15, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # The plain tier by default; tests of the browser tier ask for it.
    fetch = {"tiers": ["http"], "per_host_delay": 0.0, "allowed_networks": ["127.0.0.0/8"]}
    flip = {"comps_url": "http://127.0.0.1:9"}  # nothing listens there: tests never reach a real eBay
    return Settings(data_dir=tmp_path / "data", database_url=database_url, fetch=fetch, flip=flip)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.resolved_database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture(scope="module")
def swap_server() -> Iterator[tuple[str, SwappableApp]]:
    """One loopback server per module whose app each test swaps (the LLM API fakes)."""
    swap = SwappableApp()
    with LoopbackServer(swap) as server:
        yield server.url, swap
