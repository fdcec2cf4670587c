"""Comparable sold items: where they come from (pluggable, because sold-data access changes often),
and a 24 h cache so a popular item is looked up once a day, not once per listing.

The built-in source reads eBay's sold/completed search through the fetch ladder and the eBay adapter.
A lookup ends as `ok`, `blocked` or `failed` like any fetch; a blocked source is never "no comps".
Cached answers live in the blob store as JSON (`comps/<source>/<hash>.json`) with their fetch time.
`WithOwnSales` adds the operator's own sales (the inventory) that match the query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from dealwatch.core.errors import DealwatchError
from dealwatch.core.money import Money
from dealwatch.fetch.base import FetchRequest
from dealwatch.fetch.tiers import Ladder
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.marketplaces.base import SearchQuery
from dealwatch.flip.marketplaces.ebay import Ebay
from dealwatch.snapshots.store import BlobStore

CACHE_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class SoldItems:
    """What a comps lookup found: sold listings, or why there are none to trust."""

    query: str
    outcome: str  # ok | blocked | failed
    items: tuple[ListingDraft, ...] = ()
    fetched_at: datetime | None = None
    reason: str | None = None
    cached: bool = False


class CompsSource(Protocol):
    """Sold items matching a query."""

    name: str

    async def sold(self, query: str, now: datetime) -> SoldItems:
        """Look up sold items for `query`."""
        ...


class EbaySold:
    """eBay sold/completed results through the fetch ladder."""

    name = "ebay_sold"

    def __init__(self, fetcher: Ladder, adapter: Ebay | None = None) -> None:
        self.fetcher = fetcher
        self.adapter = adapter or Ebay()

    async def sold(self, query: str, now: datetime) -> SoldItems:
        """Fetch and read one sold search; only items that sold (not merely ended) are kept."""
        url = self.adapter.search_url(SearchQuery(text=query, sold_only=True))
        try:
            result = await self.fetcher.fetch(FetchRequest(url=url, source="comps:ebay"))
        except DealwatchError as exc:  # unresolvable host, refused by the SSRF guard...: no comps, and why
            return SoldItems(query, "failed", fetched_at=now, reason=str(exc))
        if not result.ok:
            return SoldItems(query, result.outcome.value, fetched_at=now, reason=result.reason)
        page = self.adapter.parse_search(result.text(), result.final_url or url, now)
        if page.blocked:
            return SoldItems(query, "blocked", fetched_at=now, reason=page.blocked)
        sold = tuple(item for item in page.listings if item.sold and item.price is not None)
        return SoldItems(query, "ok", sold, fetched_at=now)


class CachedComps:
    """A source behind a blob-store cache: answers younger than the TTL are reused."""

    def __init__(self, source: CompsSource, blobs: BlobStore, ttl: timedelta = CACHE_TTL) -> None:
        self.source, self.blobs, self.ttl = source, blobs, ttl
        self.name = source.name

    async def sold(self, query: str, now: datetime) -> SoldItems:
        """The cached answer when fresh, else a new lookup (cached only when it succeeded)."""
        digest = hashlib.sha256(" ".join(query.lower().split()).encode()).hexdigest()[:32]
        key = f"comps/{self.name}/{digest}.json"
        if self.blobs.exists(key):
            cached = _read(self.blobs.get(key), query)
            if cached.fetched_at is not None and now - cached.fetched_at < self.ttl:
                return cached
        found = await self.source.sold(query, now)
        if found.outcome == "ok":
            self.blobs.put(key, _write(found))
        return found


class WithOwnSales:
    """A source plus the operator's own sales (the inventory) whose titles match the query.

    What you sold an item for is the most local comp there is; it joins the marketplace's sold results
    when those came back, over the same window (`window`, the valuation's 90 days by default).
    """

    def __init__(
        self,
        source: CompsSource,
        own_sales: Callable[[datetime], Sequence[ListingDraft]],
        window: timedelta = timedelta(days=90),
        min_similarity: float = 70.0,
    ) -> None:
        self.source, self.own_sales, self.window, self.min_similarity = (
            source,
            own_sales,
            window,
            min_similarity,
        )
        self.name = source.name

    async def sold(self, query: str, now: datetime) -> SoldItems:
        """The source's answer, with the matching own sales added when it succeeded."""
        found = await self.source.sold(query, now)
        if found.outcome != "ok":
            return found
        mine = [
            sale
            for sale in self.own_sales(now - self.window)
            if fuzz.token_set_ratio(query, sale.title, processor=default_process) >= self.min_similarity
        ]
        return replace(found, items=(*found.items, *mine)) if mine else found


def _write(found: SoldItems) -> bytes:
    rows = [
        {
            "marketplace": item.marketplace,
            "external_id": item.external_id,
            "title": item.title,
            "url": item.url,
            "price": str(item.price.amount) if item.price else None,
            "currency": item.currency,
            "condition": item.condition,
            "sold_at": item.sold_at.isoformat() if item.sold_at else None,
            "shipping": str(item.shipping.amount) if item.shipping else None,
        }
        for item in found.items
    ]
    stamp = found.fetched_at.isoformat() if found.fetched_at else None
    return json.dumps({"fetched_at": stamp, "items": rows}).encode()


def _read(data: bytes, query: str) -> SoldItems:
    body = json.loads(data)
    items = tuple(
        ListingDraft(
            marketplace=row["marketplace"],
            external_id=row["external_id"],
            title=row["title"],
            url=row["url"],
            price=Money(Decimal(row["price"]), row["currency"]) if row["price"] else None,
            currency=row["currency"],
            condition=row["condition"],
            sold=True,
            sold_at=datetime.fromisoformat(row["sold_at"]) if row["sold_at"] else None,
            shipping=Money(Decimal(row["shipping"]), row["currency"]) if row["shipping"] else None,
        )
        for row in body["items"]
    )
    fetched = datetime.fromisoformat(body["fetched_at"]) if body.get("fetched_at") else None
    return SoldItems(query, "ok", items, fetched_at=fetched, cached=True)
