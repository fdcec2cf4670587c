"""eBay adapter on real saved pages (expected values from marketplace_pages/ebay/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dealwatch.core.money import Money
from dealwatch.flip.listing import BlockedPage
from dealwatch.flip.marketplaces import Ebay, SearchQuery, marketplaces

Page = Callable[[str, str], str]
SITE = "ebay"
SOLD = "search_sold_s-card_2006-vw-new-beetle_2026-05-06.html.gz"
COMPLETED = "search_completed_s-card_seller-store_2026-07-22.html.gz"
ACTIVE_CARD = "search_active_s-card_kitchen-accessories_2026-04-02.html.gz"
SEARCH_URL = "https://www.ebay.com/sch/i.html"
NOW = datetime(2026, 7, 22, 12, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def jpy(amount: str) -> Money:
    return Money(Decimal(amount), "JPY")


def test_registered_and_builds_active_and_sold_search_urls() -> None:
    adapter = marketplaces.build("ebay")
    assert adapter.name == "ebay"
    assert adapter.search_url(SearchQuery("nintendo switch", max_price=Decimal(200))) == (
        "https://www.ebay.com/sch/i.html?_nkw=nintendo+switch&_udhi=200&_ipg=240"
    )
    assert adapter.search_url(SearchQuery("2006 volkswagen new beetle", sold_only=True, category="6030")) == (
        "https://www.ebay.com/sch/i.html?_nkw=2006+volkswagen+new+beetle&_sacat=6030&LH_Sold=1&LH_Complete=1&_ipg=240"
    )


def test_s_item_active_search_2021(page: Page) -> None:
    result = Ebay().parse_search(
        page(SITE, "search_active_s-item_hot-toys-star-wars_2021-02.html.gz"), SEARCH_URL, NOW
    )
    listings = result.listings
    # 61 li.s-item: 60 listings and one obfuscated tag block with no title and no link.
    assert len(listings) == 60 and result.skipped == {"not a listing": 1} and not result.failures
    first, second, last = listings[0], listings[1], listings[-1]
    assert (first.external_id, first.title, first.price) == (
        "133407052389",
        'Darth Maul LIGHTSABER for 12" Star Wars Action Figure, Ep.1 - Sixth Scale NEW',
        usd("19.95"),
    )
    assert (first.raw["format"], first.raw["sold_count"], first.shipping) == ("Buy It Now", "13", None)
    assert first.url == "https://www.ebay.com/itm/133407052389"
    assert (second.external_id, second.price) == ("232580159782", usd("15.00"))
    assert second.title == "CHARLES LAUGHTON KEY BOOK 8 x 10 Publicity PHOTO Hunchback Of NOTRE DAME ak610"
    assert (last.external_id, last.title, last.price, last.condition, last.shipping) == (
        "224354869139",
        "Hot Toys Solo A Star Wars Story Darth Maul DX18 1/6 Sealed with Brown Shipper",
        usd("449.99"),
        "Brand New",
        usd("0"),
    )
    # 52 cards have `.s-item__shipping`; 6 more say "Free 4 day shipping" in their buying options.
    assert sum(x.shipping is not None for x in listings) == 58
    assert sum(x.bids is not None for x in listings) == 15
    assert (result.total, result.next_url) == (
        5072,
        "https://www.ebay.com/sch/i.html?_from=R40&_nkw=hot+toys+star+wars&_sacat=246&_pgn=2",
    )


def test_s_item_japanese_locale_prices_in_yen(page: Page) -> None:
    html = page(SITE, "search_active_s-item_ja-locale_nintendo-switch_2025-05-26.html.gz")
    result = Ebay().parse_search(html, SEARCH_URL, NOW)
    listings = result.listings
    assert len(listings) == 60 and len({x.external_id for x in listings}) == 60
    assert result.skipped == {"placeholder": 2}
    assert {x.currency for x in listings} == {"JPY"}
    first, second, last = listings[0], listings[1], listings[-1]
    assert first.external_id == "125098319434"
    assert first.title == "ニンテンドースイッチゲーム&コンソール 英国 英語 PAL EUR チョイス 新品 * Pay 1 配送"
    assert (first.price, first.price_note, first.raw["price_high"]) == (jpy("3858"), "range", "13507")
    assert (first.shipping, first.location, first.seller) == (jpy("2509"), "英国", "gamesgalaxyconsett")
    assert (second.external_id, second.title, second.price) == (
        "334377840810",
        "Nintendo Switch - 5 xゲーム - 3Dプリントスタンド",
        jpy("1928"),
    )
    assert (last.external_id, last.title, last.price, last.location) == (
        "266682089194",
        "ピクミン 1+2 - Nintendo Switch 新品未開封 (2023 戦略)",
        jpy("6841"),
        "米国",
    )
    assert result.total == 7400


def test_s_card_active_search(page: Page) -> None:
    result = Ebay().parse_search(page(SITE, ACTIVE_CARD), SEARCH_URL, NOW)
    listings = result.listings
    assert len(listings) == 60 and len({x.external_id for x in listings}) == 60
    assert result.skipped == {"placeholder": 2}
    assert not any(x.sold or x.ended_at for x in listings)
    first, second, last = listings[0], listings[1], listings[-1]
    assert (first.external_id, first.title, first.price) == (
        "155888203360",
        "Pot Lid Holder Storage Rack Wall Mounted Pan Cover Organizer Kitchen Accessories",
        usd("21.99"),
    )
    assert (first.raw["format"], first.shipping, first.location, first.raw["sold_count"]) == (
        "Buy It Now",
        usd("0"),
        "Thailand",
        "30",
    )
    assert second.external_id == "277612251032"
    assert second.title == "Kitchen Accessories Stainless Wok Gas Stove Auxiliary Racks Support Frame//"
    assert (second.price, second.raw["was_price"], second.raw["caption"]) == (
        usd("3.15"),
        "$3.42",
        "NEW LOW PRICE",
    )
    assert (second.location, second.seller) == ("China", "qqgg2009")
    assert (last.external_id, last.price, last.shipping, last.location) == (
        "177699788969",
        usd("7.99"),
        usd("28.93"),
        "United States",
    )
    assert last.title == "Peeler for Potato and more with peel catcher Kitchen Accessories Fruit Peeler"
    ranges = [x for x in listings if x.price_note == "range"]
    assert ranges and all(Decimal(str(x.raw["price_high"])) > x.price.amount for x in ranges if x.price)
    assert (result.total, result.next_url) == (
        9100,
        "https://www.ebay.com/sch/i.html?_nkw=kitchen+accessories&_pgn=2",
    )


def test_sold_search_gives_sale_prices_and_dates(page: Page) -> None:
    result = Ebay().parse_search(page(SITE, SOLD), SEARCH_URL, NOW)
    listings = result.listings
    assert len(listings) == 60 and result.skipped == {"placeholder": 2}
    assert all(x.sold and x.sold_at is not None and x.ended_at is None for x in listings)
    first, second, third, last = listings[0], listings[1], listings[2], listings[-1]
    assert first.external_id == "377007281744"
    assert first.title == (
        "2006 - 2010 Volkswagen New Beetle 2.5L Upper Engine Cover 07K103925 (For: 2006 Volkswagen Beetle)"
    )
    assert (first.price, first.sold_at, first.shipping, first.condition) == (
        usd("69.99"),
        datetime(2026, 3, 7, tzinfo=UTC),
        usd("0"),
        "Pre-Owned",
    )
    assert (first.raw["format"], first.location) == ("or Best Offer", "United States")
    assert (second.external_id, second.price, second.sold_at) == (
        "188114878749",
        usd("91.99"),
        datetime(2026, 3, 6, tzinfo=UTC),
    )
    # "Best offer accepted": the struck-through asking price is an upper bound, not the sale price.
    assert (third.external_id, third.price, third.price_note, third.shipping) == (
        "168179143276",
        usd("109.00"),
        "best offer accepted",
        usd("26.55"),
    )
    assert (last.external_id, last.price, last.sold_at, last.raw["format"]) == (
        "336390066058",
        usd("39.99"),
        datetime(2026, 2, 9, tzinfo=UTC),
        "Buy It Now",
    )
    assert result.total == 242


def test_completed_search_tells_sold_from_ended(page: Page) -> None:
    result = Ebay().parse_search(page(SITE, COMPLETED), SEARCH_URL, NOW)
    listings = result.listings
    assert len(listings) == 60
    sold = [x for x in listings if x.sold]
    ended = [x for x in listings if x.ended_at is not None]
    assert (len(sold), len(ended)) == (28, 32) and not {x.external_id for x in sold} & {
        x.external_id for x in ended
    }
    assert {x.sold_at for x in sold} == {datetime(2026, 7, 20, tzinfo=UTC)}
    first, second, last = listings[0], listings[1], listings[-1]
    assert (first.external_id, first.title, first.price, first.bids, first.shipping, first.sold) == (
        "188619565807",
        "Los Angeles Negros Aplaude Mi Final LP",
        usd("13.50"),
        6,
        usd("7.00"),
        True,
    )
    assert (second.external_id, second.title, second.price, second.bids, second.sold) == (
        "188619623957",
        "Los Satelites Brincando El Muro LP",
        usd("72.00"),
        13,
        True,
    )
    assert (last.external_id, last.price, last.bids, last.sold, last.sold_at, last.ended_at) == (
        "188627281212",
        usd("8.00"),
        0,
        False,
        None,
        datetime(2026, 7, 20, tzinfo=UTC),
    )
    assert last.title == "The Pointer Sisters Special Things LP He's So Shy"
    assert first.seller == "everything*and*anything*for*sale"
    assert result.total == 565


def test_view_item_page_keeps_the_sellers_currency(page: Page) -> None:
    listing = Ebay().parse_listing(page(SITE, "item_rtx-5090-fe_eur-seller_2025-06-02.html"), "", NOW)
    assert listing.external_id == "226771798286"
    assert listing.title == "NVIDIA GeForce RTX 5090 FE Founders Edition"  # the page's trailing " -" dropped
    assert (listing.price, listing.currency) == (Money(Decimal("3500.00"), "EUR"), "EUR")
    assert listing.raw["price_approx"] == "3971.45 USD"
    assert listing.shipping == Money(Decimal("150.00"), "EUR")
    assert (listing.location, listing.condition, listing.seller) == ("Paris, France", "New", "salomon0651")
    assert listing.raw["seller_feedback"] == "(113)" and listing.raw["format"] == "Buy It Now"
    assert "does not accept returns" in str(listing.raw["returns"])
    assert listing.image_urls == ("https://i.ebayimg.com/images/g/qvsAAOSwwLFoMPT6/s-l1600.jpg",)
    assert not listing.sold and listing.url == "https://www.ebay.com/itm/226771798286"


def test_pardon_our_interruption_is_blocked(page: Page) -> None:
    html = page(SITE, "blocked_pardon-our-interruption_2026-07-21.html")
    result = Ebay().parse_search(html, SEARCH_URL, NOW)
    assert result.blocked is not None and "Pardon Our Interruption" in result.blocked
    assert not result.listings and not result.failures
    with pytest.raises(BlockedPage):
        Ebay().parse_listing(html, "https://www.ebay.com/itm/1", NOW)


def test_a_mangled_card_is_a_failure_and_the_rest_survive(page: Page) -> None:
    html = page(SITE, COMPLETED)
    mangled = html.replace('data-listingid="188619623957"', "").replace("/itm/188619623957", "/itm/gone")
    result = Ebay().parse_search(mangled, SEARCH_URL, NOW)
    (failure,) = result.failures
    assert failure.index == 3 and "item id" in failure.reason  # after the two placeholders and the 1st card
    assert "Los Satelites" in failure.raw
    assert len(result.listings) == 59 and result.listings[1].external_id == "188619638681"
