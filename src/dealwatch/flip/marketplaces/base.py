"""The marketplace seam: a SearchQuery in, a search URL out, and pages read into listings.

Every adapter (craigslist, facebook, offerup, ebay, and third-party ones from the
`dealwatch.marketplaces` entry-point group) implements `Marketplace` and registers a zero-argument
factory in `marketplaces`. Adapters only read pages; fetching them is the fetch ladder's job, starting
at the adapter's `fetch_tier`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from dealwatch.core.errors import InvalidInput
from dealwatch.core.registry import Registry
from dealwatch.flip.listing import ListingDraft, SearchPage


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One saved search: what to look for, where, and in which price band."""

    text: str = ""
    # The marketplace's own place code: Craigslist site ("boston"), Facebook city slug ("nyc" or a page id).
    location: str | None = None
    postal_code: str | None = None
    radius_mi: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    # The marketplace's own category code: Craigslist "sss"/"ele", Facebook "motorcycles", eBay "246".
    category: str | None = None
    # Sold/completed results only (eBay comps); marketplaces without them ignore it.
    sold_only: bool = False

    def __post_init__(self) -> None:
        if not self.text.strip() and not self.category:
            raise InvalidInput("a search needs query text or a category")
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise InvalidInput(f"min_price {self.min_price} is above max_price {self.max_price}")
        if self.radius_mi is not None and self.radius_mi <= 0:
            raise InvalidInput(f"radius_mi must be positive, got {self.radius_mi}")


class Marketplace(Protocol):
    """A marketplace adapter: builds search URLs and reads the pages they return."""

    name: str
    # The fetch tier to start at: "http" where the server renders listings, "browser" where only a
    # browser (with the operator's own logged-in profile, for Facebook) gets them.
    fetch_tier: str

    def search_url(self, search: SearchQuery) -> str:
        """The marketplace's own search URL for `search`."""
        ...

    def parse_search(self, html_or_json: str, url: str, now: datetime) -> SearchPage:
        """Every listing on one search page; unreadable cards become failures, a wall sets `blocked`.

        Raises Unparseable only when the whole body is not a search page at all (e.g. an API error).
        """
        ...

    def parse_listing(self, html: str, url: str, now: datetime) -> ListingDraft:
        """The listing on one listing page; raises Unparseable (BlockedPage for a wall) when there is none."""
        ...


marketplaces: Registry[Marketplace] = Registry("marketplaces")
