"""/v1 routes of the flip job: start a scan of the saved searches now, and read the listings found."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from dealwatch.flip.models import Listing
from dealwatch.flip.searches import list_searches
from dealwatch.pipeline import run_scan
from dealwatch.services import Services, build_services
from dealwatch.web.deps import ApiKeyDep, SessionDep
from dealwatch.web.schemas import ErrorOut

router = APIRouter(prefix="/v1", tags=["flip"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or wrong X-API-Key"},
    403: {"model": ErrorOut, "description": "write calls disabled (no api.key set)"},
}


class ScanIn(BaseModel):
    """The seed's `/scraping/start` body: which saved searches to scan now (empty = all enabled)."""

    locations: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    marketplaces: list[str] = Field(default_factory=list)


class SearchScanOut(BaseModel):
    search_id: str
    outcome: str
    new: int
    seen_again: int
    price_drops: int
    filtered: int
    unreadable: int
    reason: str | None


class ScanOut(BaseModel):
    searches: list[SearchScanOut]
    new_listings: int


class ListingOut(BaseModel):
    id: int
    marketplace: str
    external_id: str
    title: str
    url: str
    price: Decimal | None
    currency: str
    price_note: str | None
    location: str | None
    condition: str | None
    image_urls: list[str]
    posted_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    status: str
    search_id: str | None


class ListingsOut(BaseModel):
    listings: list[ListingOut]
    count: int


def _services(request: Request) -> Services:
    """The fetch ladder and friends, built on the first scan and kept for the app's life."""
    if getattr(request.app.state, "services", None) is None:
        request.app.state.services = build_services(request.app.state.settings, request.app.state.clock)
    services: Services = request.app.state.services
    return services


@router.post("/scans", responses=ERRORS, dependencies=[ApiKeyDep])
async def start_scan(body: ScanIn, request: Request, session: SessionDep) -> ScanOut:
    """Scan the matching saved searches now and report what each found."""
    chosen = [
        s.id
        for s in list_searches(session, enabled_only=True)
        if (not body.marketplaces or s.marketplace in body.marketplaces)
        and (not body.locations or (s.location or s.postal_code) in body.locations)
        and (not body.categories or s.category in body.categories)
    ]
    scans = await run_scan(_services(request), chosen) if chosen else []
    out = [
        SearchScanOut(
            search_id=s.search_id,
            outcome=s.outcome,
            new=s.new,
            seen_again=s.seen_again,
            price_drops=s.price_drops,
            filtered=s.filtered,
            unreadable=s.failures,
            reason=s.reason,
        )
        for s in scans
    ]
    return ScanOut(searches=out, new_listings=sum(s.new for s in scans))


@router.get("/listings")
def listings(
    session: SessionDep,
    marketplace: str | None = None,
    search_id: str | None = None,
    status: str = "active",
    limit: int = Query(100, ge=1, le=1000),
) -> ListingsOut:
    """Listings found by the scans, newest first."""
    query = select(Listing).where(Listing.status == status).order_by(Listing.first_seen_at.desc(), Listing.id)
    if marketplace:
        query = query.where(Listing.marketplace == marketplace)
    if search_id:
        query = query.where(Listing.search_id == search_id)
    rows = list(session.scalars(query.limit(limit)))
    return ListingsOut(
        listings=[ListingOut.model_validate(row, from_attributes=True) for row in rows], count=len(rows)
    )
