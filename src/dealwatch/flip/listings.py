"""Stored listings: record what a search page showed (one row per marketplace + id), events, expiry.

Re-seeing a listing updates its row and pushes its expiry out; a changed price is an event
(`price_drop` / `price_rise`), a listing the page marks sold gets a `sold` event, and listings
unseen for `ttl` (7 days, as in the seed) are expired. Keyword filters of the saved search apply
before anything is stored: a listing must mention one keyword (when any are given) and no
antikeyword, and sit inside the search's price band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dealwatch.flip.listing import ListingDraft, SearchPage
from dealwatch.flip.models import Listing, ListingEvent, Search

TTL = timedelta(days=7)


@dataclass
class PageRecord:
    """What recording one search page did."""

    new: int = 0
    seen_again: int = 0
    price_drops: list[int] = field(default_factory=list)  # listing ids
    filtered: int = 0
    failures: int = 0
    new_ids: list[int] = field(default_factory=list)


def wanted(draft: ListingDraft, search: Search) -> bool:
    """Does the listing pass the search's keywords, antikeywords and price band?"""
    text = f"{draft.title} {draft.raw.get('description', '')}".lower()
    if search.keywords and not any(word.lower() in text for word in search.keywords):
        return False
    if any(word.lower() in text for word in search.antikeywords):
        return False
    price = draft.price.amount if draft.price is not None else None
    if price is not None and search.min_price is not None and price < search.min_price:
        return False
    return not (price is not None and search.max_price is not None and price > search.max_price)


def record_page(session: Session, search: Search, page: SearchPage, now: datetime) -> PageRecord:
    """Upsert the page's wanted listings (idempotent on marketplace + external id)."""
    record = PageRecord(failures=len(page.failures))
    drafts = [d for d in page.listings if wanted(d, search)]
    record.filtered = len(page.listings) - len(drafts)
    ids = [d.external_id for d in drafts]
    known = {
        row.external_id: row
        for row in session.scalars(
            select(Listing).where(Listing.marketplace == search.marketplace, Listing.external_id.in_(ids))
        )
    }
    for draft in drafts:
        row = known.get(draft.external_id)
        if row is None:
            row = Listing(marketplace=draft.marketplace, external_id=draft.external_id, first_seen_at=now)
            session.add(row)
            _apply(row, draft, search.id, now)
            session.flush()
            session.add(ListingEvent(listing_id=row.id, kind="new", new_price=row.price, at=now))
            known[draft.external_id] = row
            record.new += 1
            record.new_ids.append(row.id)
            continue
        old = row.price
        _apply(row, draft, search.id, now)
        record.seen_again += 1
        if old is not None and row.price is not None and row.price != old:
            kind = "price_drop" if row.price < old else "price_rise"
            session.add(
                ListingEvent(listing_id=row.id, kind=kind, old_price=old, new_price=row.price, at=now)
            )
            if kind == "price_drop":
                record.price_drops.append(row.id)
    session.flush()
    return record


def _apply(row: Listing, draft: ListingDraft, search_id: str, now: datetime) -> None:
    row.search_id = row.search_id or search_id
    row.title = draft.title[:500]
    row.url = draft.url
    row.price = draft.price.amount if draft.price is not None else None
    row.currency = draft.price.currency if draft.price is not None else draft.currency
    row.price_note = draft.price_note
    row.location = draft.location
    row.distance_km = draft.distance_km
    row.condition = draft.condition
    row.image_urls = list(draft.image_urls)
    row.seller = draft.seller
    row.posted_at = draft.posted_at
    row.last_seen_at = now
    row.expires_at = now + TTL
    row.status = "sold" if draft.sold else "active"
    row.raw = {key: value for key, value in draft.raw.items() if isinstance(value, str | int | float | bool)}


def expire_listings(session: Session, now: datetime) -> int:
    """Mark active listings unseen for the TTL as expired; returns how many."""
    result = session.execute(
        update(Listing).where(Listing.status == "active", Listing.expires_at < now).values(status="expired")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def active_listings(session: Session, search_id: str | None = None, limit: int = 100) -> list[Listing]:
    """Active listings, newest first."""
    query = (
        select(Listing).where(Listing.status == "active").order_by(Listing.first_seen_at.desc(), Listing.id)
    )
    if search_id is not None:
        query = query.where(Listing.search_id == search_id)
    return list(session.scalars(query.limit(limit)))
