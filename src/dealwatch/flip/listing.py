"""Listings as a marketplace adapter reads them: one ListingDraft per listing, one SearchPage per page.

A draft is what the page said, normalised (Money, tz-aware UTC, absolute URLs); storing and
deduplicating it on (marketplace, external_id) is the next stage's job. A card that cannot be read
never raises: it becomes a CardFailure holding its raw markup, so the scan goes on and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from dealwatch.core.errors import DealwatchError, InvalidInput
from dealwatch.core.money import Money

# A failed card keeps at most this much of its raw markup (a card is a few KB; a runaway one is not).
RAW_LIMIT = 20_000


class Unparseable(DealwatchError):
    """A page (or card) that holds no listing we can read."""


class BlockedPage(Unparseable):
    """The marketplace answered with a bot wall or login wall instead of the page."""


@dataclass(frozen=True, slots=True)
class ListingDraft:
    """One listing as read from a marketplace page."""

    marketplace: str
    external_id: str
    title: str
    url: str
    # None when the page shows no usable price; `price_note` then says why ("no price", "contact").
    price: Money | None = None
    # How to read the price: "free", "zero" (a $0 placeholder), "no price", "contact", "per month", "range".
    price_note: str | None = None
    currency: str = "USD"
    location: str | None = None
    distance_km: Decimal | None = None
    condition: str | None = None
    image_urls: tuple[str, ...] = ()
    posted_at: datetime | None = None
    updated_at: datetime | None = None
    seller: str | None = None
    sold: bool = False
    sold_at: datetime | None = None
    # An auction or listing that ended unsold: its last price is not a sale price.
    ended_at: datetime | None = None
    shipping: Money | None = None
    bids: int | None = None
    raw: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.external_id or not self.title:
            raise InvalidInput(f"a {self.marketplace} listing needs an id and a title")
        if self.price is not None and self.price.currency != self.currency:
            raise InvalidInput(f"listing currency {self.currency} differs from its price's {self.price}")
        for moment in (self.posted_at, self.updated_at, self.sold_at, self.ended_at):
            if moment is not None and moment.utcoffset() is None:
                raise InvalidInput(f"naive datetime on listing {self.external_id}: {moment!r}")


@dataclass(frozen=True, slots=True)
class CardFailure:
    """A card on a search page that could not be read: where it was, why, and its raw markup."""

    index: int
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Everything one search page gave: listings, unreadable cards, skipped ads, and where to go next."""

    marketplace: str
    url: str
    listings: tuple[ListingDraft, ...] = ()
    failures: tuple[CardFailure, ...] = ()
    # Cards that are not listings (ads, placeholders), counted by kind so nothing vanishes silently.
    skipped: Mapping[str, int] = field(default_factory=dict)
    total: int | None = None
    next_url: str | None = None
    # Feeds that page with a cursor (OfferUp GraphQL) rather than a URL.
    next_cursor: str | None = None
    # Why the page is a block (bot wall, login wall); a blocked page is never "no listings".
    blocked: str | None = None

    @property
    def seen(self) -> int:
        """Cards looked at: listings read plus cards that failed."""
        return len(self.listings) + len(self.failures)
