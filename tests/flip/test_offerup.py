"""OfferUp adapter on real saved feeds (expected values from marketplace_pages/offerup/README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dealwatch.core.money import Money
from dealwatch.flip.listing import Unparseable
from dealwatch.flip.marketplaces import OfferUp, SearchQuery, marketplaces

Page = Callable[[str, str], str]
SITE = "offerup"
EXPLORE = "explore_cars-trucks_wichita-ks_2025-10-09.html"
GRAPHQL = "graphql_modularfeed_search_honda-civic_2025-11-15.json"
NOW = datetime(2025, 10, 9, 12, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def test_registered_and_builds_real_search_urls() -> None:
    adapter = marketplaces.build("offerup")
    assert adapter.name == "offerup"
    search = SearchQuery("honda civic", min_price=Decimal(2000), max_price=Decimal(100000), radius_mi=80)
    assert adapter.search_url(search) == (
        "https://offerup.com/search?q=honda+civic&PRICE_MIN=2000&PRICE_MAX=100000&DISTANCE=80"
    )
    assert (
        adapter.search_url(SearchQuery(category="cars-trucks")) == "https://offerup.com/explore/k/cars-trucks"
    )


def test_explore_page_next_data_then_scrolled_cards(page: Page) -> None:
    result = OfferUp().parse_search(page(SITE, EXPLORE), "https://offerup.com/explore/k/cars-trucks", NOW)
    listings = result.listings
    assert result.skipped == {"display ad": 1} and not result.failures
    # 49 listings from __NEXT_DATA__, then the cards the infinite scroll added: 206 in all.
    assert len(listings) == 206 and len({x.external_id for x in listings}) == 206
    from_feed = [x for x in listings if x.raw.get("from") != "dom"]
    assert listings[:49] == tuple(from_feed) and len(from_feed) == 49
    first, second, third, last = listings[0], listings[1], listings[2], listings[48]
    assert (first.external_id, first.title, first.price, first.location) == (
        "b2407e3b-5772-35c0-a28c-1b5c97b45c82",
        "2018 GMC Sierra",
        usd("24000"),
        "Wichita, KS",
    )
    assert (first.raw["vehicle_miles"], first.raw["flags"]) == (101000, ["LOCAL_PICKUP"])
    assert first.url == "https://offerup.com/item/detail/b2407e3b-5772-35c0-a28c-1b5c97b45c82"
    assert (second.external_id, second.title, second.price, second.location, second.raw["vehicle_miles"]) == (
        "fbcdbd12-af23-3859-a4ad-da05b91c61b2",
        "2012 GMC Sierra 1500",
        usd("11000"),
        "Derby, KS",
        196145,
    )
    assert (third.external_id, third.title, third.price, third.location) == (
        "b8200729-f3be-3293-b0f5-7861981f5093",
        "2002 Chevrolet 3500 HD Regular Cab & Chassis",
        usd("6000"),
        "Potwin, KS",
    )
    assert "vehicle_miles" not in third.raw
    assert (last.external_id, last.title, last.price, last.location, last.raw["vehicle_miles"]) == (
        "43cfacae-642c-3bd6-b53a-8f7804467e14",
        "2000 Mercedes-Benz SLK-Class",
        usd("4000"),
        "Wichita, KS",
        164824,
    )
    assert sum("vehicle_miles" not in x.raw for x in from_feed) == 20
    fiftieth = listings[49]
    assert (fiftieth.title, fiftieth.price, fiftieth.location, fiftieth.raw["vehicle_miles_shown"]) == (
        "2004 Chevrolet Suburban",
        usd("5500"),
        "Wichita, KS",
        "214k miles",
    )
    assert result.next_url == "https://offerup.com/explore/k/cars-trucks?page=2"
    assert result.next_cursor


def test_graphql_search_skips_ads_and_promoted_listings(page: Page) -> None:
    result = OfferUp().parse_search(page(SITE, GRAPHQL), "https://offerup.com/search?q=honda+civic", NOW)
    listings = result.listings
    assert len(listings) == 41 and not result.failures
    assert result.skipped == {"display ad": 4, "seller ad": 5}
    first, second, last = listings[0], listings[1], listings[-1]
    assert (first.external_id, first.title, first.price, first.location, first.raw["vehicle_miles"]) == (
        "f5ed015a-ec7a-33c1-bc99-f7aaabdbebfa",
        "2017 Honda Civic Sport",
        usd("18599.00"),
        "South Gate, CA",
        89734,
    )
    # The seller typed the price into the mileage too; both are kept as given.
    assert (second.external_id, second.title, second.price, second.location, second.raw["vehicle_miles"]) == (
        "e2339731-3d13-3f91-a355-287cf2e5b962",
        "2023 Honda Civic",
        usd("23995"),
        "Los Angeles, CA",
        23995,
    )
    assert (last.external_id, last.title, last.price, last.location) == (
        "1febf7a1-5e2a-36e5-85c1-fdc080b0b776",
        "2012 Honda Civic",
        usd("6500"),
        "Norco, CA",
    )
    assert "013ee784-aead-3961-9c89-fa62ea7e5dd5" not in {x.external_id for x in listings}  # a seller ad
    assert len({x.location for x in listings}) == 25
    assert result.next_cursor and result.next_url is None


def test_a_mangled_tile_is_a_failure_and_the_rest_survive(page: Page) -> None:
    feed = json.loads(page(SITE, GRAPHQL))
    del feed["data"]["modularFeed"]["looseTiles"][1]["listing"]["listingId"]
    result = OfferUp().parse_search(json.dumps(feed), "", NOW)
    (failure,) = result.failures
    assert failure.index == 1 and "listingId" in failure.reason
    assert "2017 Honda Civic Sport" in failure.raw
    assert len(result.listings) == 40 and result.listings[0].title == "2023 Honda Civic"


def test_item_page_from_structured_data() -> None:
    # No real OfferUp item page could be found (see the README); this minimal page carries the
    # schema.org Product an item page publishes, to pin the reader's behaviour.
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "2014 Honda Civic",
        "image": ["https://images.offerup.com/a.jpg", "https://images.offerup.com/b.jpg"],
        "description": "Runs great",
        "offers": {
            "@type": "Offer",
            "price": "8425.00",
            "priceCurrency": "USD",
            "itemCondition": "https://schema.org/UsedCondition",
            "availability": "https://schema.org/InStock",
            "availableAtOrFrom": {"address": {"addressLocality": "Riverside, CA"}},
            "seller": {"name": "Sam"},
        },
    }
    html = f'<html><head><script type="application/ld+json">{json.dumps(product)}</script></head></html>'
    url = "https://offerup.com/item/detail/013ee784-aead-3961-9c89-fa62ea7e5dd5"
    listing = OfferUp().parse_listing(html, url, NOW)
    assert (listing.external_id, listing.title, listing.price) == (
        "013ee784-aead-3961-9c89-fa62ea7e5dd5",
        "2014 Honda Civic",
        usd("8425.00"),
    )
    assert (listing.location, listing.condition, listing.seller, listing.sold) == (
        "Riverside, CA",
        "Used",
        "Sam",
        False,
    )
    assert len(listing.image_urls) == 2 and listing.raw["description"] == "Runs great"


def test_a_graphql_error_is_unparseable_not_an_empty_page() -> None:
    with pytest.raises(Unparseable, match="rate limited"):
        OfferUp().parse_search('{"errors": [{"message": "rate limited"}]}', "", NOW)
