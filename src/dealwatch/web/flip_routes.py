"""/v1 routes of the flip job: start a scan now, read the listings and opportunities, decide on them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from dealwatch.core.errors import NotFound
from dealwatch.flip.crossposts import other_posts
from dealwatch.flip.models import Listing, Opportunity
from dealwatch.flip.opportunities import decide, find_opportunities
from dealwatch.flip.searches import list_searches
from dealwatch.pipeline import run_scan
from dealwatch.services import Services, build_services
from dealwatch.web.deps import ApiKeyDep, ClockDep, SessionDep
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


class PostOut(BaseModel):
    """Another post of the same physical item (a cross-post on another marketplace)."""

    id: int
    marketplace: str
    title: str
    url: str
    price: Decimal | None
    currency: str
    status: str


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
    other_posts: list[PostOut] = Field(default_factory=list)


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
    posts = other_posts(session, [row.id for row in rows])
    found = [
        ListingOut.model_validate(row, from_attributes=True).model_copy(
            update={"other_posts": [_post(p) for p in posts.get(row.id, [])]}
        )
        for row in rows
    ]
    return ListingsOut(listings=found, count=len(rows))


def _post(listing: Listing) -> PostOut:
    return PostOut.model_validate(listing, from_attributes=True)


class OpportunityOut(BaseModel):
    id: int
    listing_id: int
    title: str
    marketplace: str
    url: str
    location: str | None
    currency: str
    buy_price: Decimal | None
    estimate: Decimal | None
    low: Decimal | None
    high: Decimal | None
    n_comps: int
    confidence: float
    net_profit: Decimal | None
    margin: float | None
    roi: float | None
    max_buy: Decimal | None
    score: float
    risk_level: str | None
    route: str
    status: str
    reason: str | None
    updated_at: datetime
    decided_by: str | None


class OpportunityDetailOut(OpportunityOut):
    comps: list[dict[str, Any]]
    details: dict[str, Any]
    other_posts: list[PostOut]


class OpportunitiesOut(BaseModel):
    opportunities: list[OpportunityOut]
    count: int


class DecisionIn(BaseModel):
    decision: Literal["confirm", "reject", "listed", "sold"]
    by: str | None = Field(None, max_length=100)


def _opportunity(row: Opportunity, listing: Listing) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in OpportunityOut.model_fields if hasattr(row, name)}
    return {
        **fields,
        "title": listing.title,
        "marketplace": listing.marketplace,
        "url": listing.url,
        "location": listing.location,
    }


@router.get("/opportunities")
def opportunities(
    session: SessionDep,
    min_score: float = Query(0.0, ge=0, le=10),
    marketplace: str | None = None,
    status: str = Query(
        "open",
        description="open | review | skipped | confirmed | rejected | listed | sold | written_off | all",
    ),
    route: Literal["buy", "review", "skip"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> OpportunitiesOut:
    """Valued listings, best score first."""
    rows = find_opportunities(
        session, min_score=min_score, marketplace=marketplace, status=status, route=route, limit=limit
    )
    found = [OpportunityOut.model_validate(_opportunity(o, listing)) for o, listing in rows]
    return OpportunitiesOut(opportunities=found, count=len(found))


@router.get("/opportunities/{opportunity_id}", responses={404: {"model": ErrorOut}})
def opportunity(opportunity_id: int, session: SessionDep) -> OpportunityDetailOut:
    """One opportunity with the comps its valuation used, its fees and its score's parts."""
    row = session.get(Opportunity, opportunity_id)
    if row is None:
        raise NotFound(f"no opportunity {opportunity_id}")
    listing = session.get(Listing, row.listing_id)
    assert listing is not None
    details = dict(row.details)
    posts = [_post(p) for p in other_posts(session, [listing.id]).get(listing.id, [])]
    return OpportunityDetailOut.model_validate(
        {
            **_opportunity(row, listing),
            "comps": details.pop("comps", []),
            "details": details,
            "other_posts": posts,
        }
    )


@router.post("/opportunities/{opportunity_id}/decision", responses=ERRORS, dependencies=[ApiKeyDep])
def decision(opportunity_id: int, body: DecisionIn, session: SessionDep, clock: ClockDep) -> OpportunityOut:
    """A person's decision on the buy workflow: confirm or reject, then listed and sold."""
    row = decide(session, opportunity_id, body.decision, body.by, clock.now())
    session.commit()
    listing = session.get(Listing, row.listing_id)
    assert listing is not None
    return OpportunityOut.model_validate(_opportunity(row, listing))


@router.get("/events/opportunities", response_class=StreamingResponse)
async def opportunity_events(
    request: Request,
    min_score: float = Query(0.0, ge=0, le=10),
    last_event_id: Annotated[int | None, Header()] = None,
    poll: float = Query(2.0, gt=0, le=60, description="seconds between looks for new opportunities"),
) -> StreamingResponse:
    """Server-sent events: each new opportunity at or above `min_score`, as JSON (the seed's live feed).

    Resumable: the event id is the opportunity's id; a client sends the last one back as `Last-Event-ID`."""
    sessions = request.app.state.sessions

    async def events() -> AsyncIterator[str]:
        seen = last_event_id if last_event_id is not None else _latest_id(sessions)
        while True:  # StreamingResponse cancels this when the client goes away
            with sessions() as session:
                rows = session.execute(
                    select(Opportunity, Listing)
                    .join(Listing, Listing.id == Opportunity.listing_id)
                    .where(Opportunity.id > seen, Opportunity.score >= min_score)
                    .order_by(Opportunity.id)
                ).all()
                for row, listing in rows:
                    body = OpportunityOut.model_validate(_opportunity(row, listing)).model_dump_json()
                    yield f"id: {row.id}\nevent: opportunity\ndata: {body}\n\n"
                    seen = row.id
            await asyncio.sleep(poll)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _latest_id(sessions: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.max(Opportunity.id))) or 0)
