"""Listing value objects and the search query refuse inconsistent values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.marketplaces import SearchQuery, marketplaces


def test_a_listing_needs_an_id_a_title_one_currency_and_aware_times() -> None:
    with pytest.raises(InvalidInput):
        ListingDraft("ebay", "", "title", "https://www.ebay.com/itm/1")
    with pytest.raises(InvalidInput):
        ListingDraft("ebay", "1", "title", "u", price=Money(Decimal(3), "EUR"), currency="USD")
    with pytest.raises(InvalidInput):
        ListingDraft("ebay", "1", "title", "u", posted_at=datetime(2025, 1, 1))  # noqa: DTZ001


def test_a_search_needs_text_or_a_category_and_a_sane_price_band() -> None:
    with pytest.raises(InvalidInput):
        SearchQuery("  ")
    with pytest.raises(InvalidInput):
        SearchQuery("bike", min_price=Decimal(100), max_price=Decimal(10))
    assert SearchQuery(category="motorcycles").category == "motorcycles"


def test_every_built_in_marketplace_is_registered() -> None:
    assert {"craigslist", "ebay", "facebook", "offerup"} <= set(marketplaces.names())
    for name in ("craigslist", "ebay", "facebook", "offerup"):
        assert marketplaces.build(name).name == name
