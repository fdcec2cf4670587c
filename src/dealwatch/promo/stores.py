"""Watched stores: add, import from TOML, list and look up."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.clock import Clock
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.core.ids import slugify
from dealwatch.promo.forecast import TrackRecord, latest_predictions, track_records
from dealwatch.promo.history import last_active_days, latest_days
from dealwatch.promo.models import Prediction, PromoDay, Store
from dealwatch.settings import describe_validation_error, read_toml_tables


class StoreSpec(BaseModel):
    """A store as a user describes it (CLI, stores.toml, API)."""

    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=200)
    url: str
    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    enabled: bool = True
    selectors: dict[str, str] = Field(default_factory=dict)
    user_agent: str | None = None
    category: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        return check_store_url(url)

    @property
    def store_id(self) -> str:
        return self.id or slugify(self.name)[:64]


def check_store_url(url: str) -> str:
    """Accept only absolute http(s) URLs with a host."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"store URL must be an absolute http(s) URL, got {url!r}")
    return url.strip()


def parse_spec(values: dict[str, Any], source: str = "store") -> StoreSpec:
    """Validate one store description; errors name the source and the field."""
    try:
        return StoreSpec.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(source, exc)) from exc


def add_store(session: Session, spec: StoreSpec, clock: Clock) -> Store:
    """Create a store; refuses an id that exists."""
    if session.get(Store, spec.store_id) is not None:
        raise InvalidInput(f"store {spec.store_id!r} already exists")
    store = Store(id=spec.store_id, created_at=clock.now())
    _apply(store, spec)
    session.add(store)
    session.flush()
    return store


def _apply(store: Store, spec: StoreSpec) -> None:
    store.name = spec.name
    store.url = spec.url
    store.enabled = spec.enabled
    store.selectors = dict(spec.selectors)
    store.user_agent = spec.user_agent
    store.category = spec.category
    store.country = spec.country


def read_stores_toml(path: Path) -> list[StoreSpec]:
    """Read `[[stores]]` tables from a TOML file; every problem names the file, entry and field."""
    return read_toml_tables(path, "stores", StoreSpec, key=lambda spec: spec.store_id)


def import_stores(session: Session, specs: list[StoreSpec], clock: Clock) -> tuple[int, int]:
    """Create or update each store; returns (created, updated)."""
    created = updated = 0
    for spec in specs:
        store = session.get(Store, spec.store_id)
        if store is None:
            store = Store(id=spec.store_id, created_at=clock.now())
            session.add(store)
            created += 1
        else:
            updated += 1
        _apply(store, spec)
    session.flush()
    return created, updated


def list_stores(session: Session, *, enabled_only: bool = False) -> list[Store]:
    """All stores, by id."""
    query = select(Store).order_by(Store.id)
    if enabled_only:
        query = query.where(Store.enabled.is_(True))
    return list(session.scalars(query))


def stores_for_pass(session: Session, store_ids: Collection[str] | None = None) -> list[Store]:
    """The stores a daily pass visits, by id: every enabled one, or exactly the given ones (unknown
    ids are skipped)."""
    if store_ids is None:
        return list_stores(session, enabled_only=True)
    wanted = set(store_ids)
    return [store for store in list_stores(session) if store.id in wanted]


def get_store(session: Session, store_id: str) -> Store:
    """One store; NotFound when unknown."""
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"no store with id {store_id!r}")
    return store


@dataclass(frozen=True, slots=True)
class StoreSummary:
    """A store with its newest day, last sale day, latest prediction and forecast track record."""

    store: Store
    latest_day: PromoDay | None
    last_active: date | None
    prediction: Prediction | None
    track_record: TrackRecord


def store_summaries(session: Session, store_ids: Collection[str] | None = None) -> list[StoreSummary]:
    """Summaries of the stores (all when None), by id: one query per kind, whatever the number of stores."""
    query = select(Store).order_by(Store.id)
    if store_ids is not None:
        query = query.where(Store.id.in_(store_ids))
    stores = list(session.scalars(query))
    latest = latest_days(session, store_ids)
    active = last_active_days(session, store_ids)
    predictions = latest_predictions(session, store_ids)
    records = track_records(session, store_ids)
    return [
        StoreSummary(
            store,
            latest.get(store.id),
            active.get(store.id),
            predictions.get(store.id),
            records.get(store.id, TrackRecord(0, None, None)),
        )
        for store in stores
    ]
