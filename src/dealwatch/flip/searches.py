"""Saved searches: add, import from TOML, list, and turn into the adapters' SearchQuery."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.clock import Clock
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.core.ids import slugify
from dealwatch.flip.marketplaces.base import SearchQuery, marketplaces
from dealwatch.flip.models import Search
from dealwatch.promo.stores import check_store_url
from dealwatch.settings import describe_validation_error, read_toml_tables


class SearchSpec(BaseModel):
    """A saved search as a user describes it (CLI, searches.toml, API)."""

    model_config = {"extra": "forbid"}

    marketplace: str
    query: str = Field("", max_length=400)
    location: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    radius_mi: int | None = Field(None, gt=0, le=500)
    category: str | None = Field(None, max_length=100)
    min_price: Decimal | None = Field(None, ge=0)
    max_price: Decimal | None = Field(None, ge=0)
    keywords: list[str] = Field(default_factory=list)
    antikeywords: list[str] = Field(default_factory=list)
    url: str | None = Field(None, description="the marketplace's search URL as pasted from a browser")
    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    enabled: bool = True

    @field_validator("marketplace")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in marketplaces.names():
            raise ValueError(f"unknown marketplace {name!r} (known: {', '.join(marketplaces.names())})")
        return name

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        return None if url is None else check_store_url(url)

    @model_validator(mode="after")
    def _coherent(self) -> SearchSpec:
        if self.url is None:
            self.as_query()  # the adapters' own checks: query or category, price band order
        return self

    def search_url(self) -> str:
        """The URL to fetch: the pasted one, or the adapter's search URL for this query."""
        return self.url or marketplaces.build(self.marketplace).search_url(self.as_query())

    @property
    def search_id(self) -> str:
        where = self.location or self.postal_code or "any"
        what = self.query or self.category or "url"
        return self.id or slugify(f"{self.marketplace} {where} {what}")[:64]

    def as_query(self) -> SearchQuery:
        """The adapters' view of this search."""
        return SearchQuery(
            text=self.query,
            location=self.location,
            postal_code=self.postal_code,
            radius_mi=self.radius_mi,
            min_price=self.min_price,
            max_price=self.max_price,
            category=self.category,
        )


def parse_search(values: dict[str, Any], source: str = "search") -> SearchSpec:
    """Validate one search description; errors name the source and the field."""
    try:
        return SearchSpec.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(source, exc)) from exc


def read_searches_toml(path: Path) -> list[SearchSpec]:
    """Read `[[searches]]` tables from a TOML file; every problem names the file, entry and field."""
    return read_toml_tables(path, "searches", SearchSpec)


def save_searches(session: Session, specs: list[SearchSpec], clock: Clock) -> tuple[int, int]:
    """Create or update each search; returns (created, updated)."""
    created = updated = 0
    for spec in specs:
        search = session.get(Search, spec.search_id)
        if search is None:
            search = Search(id=spec.search_id, created_at=clock.now())
            session.add(search)
            created += 1
        else:
            updated += 1
        for key in (
            "marketplace",
            "query",
            "location",
            "postal_code",
            "radius_mi",
            "category",
            "url",
            "enabled",
        ):
            setattr(search, key, getattr(spec, key))
        search.min_price, search.max_price = spec.min_price, spec.max_price
        search.keywords, search.antikeywords = list(spec.keywords), list(spec.antikeywords)
    session.flush()
    return created, updated


def list_searches(session: Session, *, enabled_only: bool = False) -> list[Search]:
    """All saved searches, by id."""
    query = select(Search).order_by(Search.id)
    if enabled_only:
        query = query.where(Search.enabled.is_(True))
    return list(session.scalars(query))


def get_search(session: Session, search_id: str) -> Search:
    """One saved search; NotFound when unknown."""
    search = session.get(Search, search_id)
    if search is None:
        raise NotFound(f"no search with id {search_id!r}")
    return search


def search_spec(search: Search) -> SearchSpec:
    """The spec of a stored search."""
    return SearchSpec(
        id=search.id,
        marketplace=search.marketplace,
        query=search.query,
        location=search.location,
        postal_code=search.postal_code,
        radius_mi=search.radius_mi,
        category=search.category,
        min_price=search.min_price,
        max_price=search.max_price,
        keywords=list(search.keywords),
        antikeywords=list(search.antikeywords),
        url=search.url,
        enabled=search.enabled,
    )
