"""Craigslist adapter on real saved pages (expected values from marketplace_pages/craigslist/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.marketplaces import Craigslist, SearchQuery, marketplaces

Page = Callable[[str, str], str]
SITE = "craigslist"
# The Boston gallery page was saved about 20:35 US/Eastern on 2023-11-29.
SAVED_BOSTON = datetime(2023, 11, 30, 1, 35, tzinfo=UTC)
SAVED_VEGAS = datetime(2025, 7, 16, 2, 20, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def test_registered_and_builds_real_search_urls() -> None:
    adapter = marketplaces.build("craigslist")
    assert adapter.name == "craigslist" and adapter.fetch_tier == "http"
    search = SearchQuery(
        "road bike", location="boston", min_price=Decimal(50), max_price=Decimal(400), category="bia"
    )
    assert adapter.search_url(search) == (
        "https://boston.craigslist.org/search/bia?query=road+bike&min_price=50&max_price=400"
    )
    nearby = SearchQuery("aaa", location="sfbay", postal_code="94110", radius_mi=5)
    assert adapter.search_url(nearby) == (
        "https://sfbay.craigslist.org/search/sss?query=aaa&postal=94110&search_distance=5"
    )


def test_rendered_gallery_page(page: Page) -> None:
    result = Craigslist().parse_search(
        page(SITE, "search_rendered-gallery_boston_sss_2023-11-29.html"), "", SAVED_BOSTON
    )
    listings = result.listings
    assert len(listings) == 120 and not result.failures
    assert len({listing.external_id for listing in listings}) == 120
    assert all(
        x.url.startswith("https://boston.craigslist.org") and x.url.endswith(".html") for x in listings
    )
    first, second, last = listings[0], listings[1], listings[-1]
    assert (first.external_id, first.title, first.price, first.location) == (
        "7692736931",
        "Solar tea light",
        usd("5"),
        "Peabody",
    )
    assert first.url == "https://boston.craigslist.org/nos/for/d/peabody-solar-tea-light/7692736931.html"
    assert first.posted_at == SAVED_BOSTON - timedelta(minutes=12)
    assert first.image_urls == ("https://images.craigslist.org/00L0L_20Tz7LpfcXD_0dp0t2_300x300.jpg",)
    assert (second.external_id, second.title, second.price, second.location) == (
        "7692736919",
        "WEN by Chaz Dean Bella Spirit & Classic Set",
        usd("75"),
        "south shore",
    )
    assert (last.external_id, last.title, last.price, last.location) == (
        "7686465065",
        'Weber 18" Original Black Kettle Charcoal Grill',
        usd("30"),
        "Waltham",
    )
    assert last.posted_at == SAVED_BOSTON - timedelta(minutes=25)
    unpriced = [x for x in listings if x.price is None]
    assert len(unpriced) == 26 and {x.price_note for x in unpriced} == {"no price"}
    assert result.total == 10_000
    assert result.next_url == "https://boston.craigslist.org/search/sss?s=120"


def test_rendered_last_page_has_no_next_page(page: Page) -> None:
    url = "https://boston.craigslist.org/search/sss?query=aaa"
    result = Craigslist().parse_search(
        page(SITE, "search_rendered-gallery_boston_sss_query-aaa_page2-last_2023-07.html"),
        url,
        datetime(2023, 7, 1, tzinfo=UTC),
    )
    assert len(result.listings) == 4
    first, second, last = result.listings[0], result.listings[1], result.listings[-1]
    assert (first.external_id, second.external_id, last.external_id) == (
        "7637945164",
        "7637570351",
        "7626251518",
    )
    assert (first.title, first.price, first.location) == ("Roku voice remote", usd("20"), "Lowell")
    assert first.posted_at == datetime(2023, 6, 29, tzinfo=UTC)  # "6/29": a date without a year or time
    assert (second.title, second.price, second.location) == (
        "Gaming Computer - Desktop",
        usd("600"),
        "Dracut",
    )
    assert last.title == "Terminator 2 Judgement Day T2 T-800 Endoskull Schwarzenegger 6 DVD set"
    assert (last.price, last.location) == (usd("300"), "Peabody")
    # The saved page's images point into a "_files" folder; the image id rebuilds the real URL.
    assert first.image_urls[0].startswith("https://images.craigslist.org/00A0A_i7yoQeUOYXo_0t20Cz")
    assert (result.total, result.next_url) == (124, None)


def test_static_for_sale_page_prettified(page: Page) -> None:
    result = Craigslist().parse_search(
        page(SITE, "search_static_sfbay_sss_surfing-board_2025-10_prettified.html"),
        "https://sfbay.craigslist.org/search/sss?query=surfing%20board",
        datetime(2025, 10, 14, tzinfo=UTC),
    )
    listings = result.listings
    assert len(listings) == 65 and len({x.external_id for x in listings}) == 65
    assert all(x.price is not None and x.location for x in listings)
    first, second, last = listings[0], listings[1], listings[-1]
    assert (first.external_id, first.title, first.price, first.location) == (
        "7888520643",
        "6’2 Bushwacker surfboard 37.6L",
        usd("400"),
        "richmond / seacliff",
    )
    assert (
        first.url
        == "https://sfbay.craigslist.org/sfc/spo/d/san-francisco-62-bushwacker-surfboard/7888520643.html"
    )
    assert (second.title, second.price, second.location) == (
        "O’Neill, Hyperfreak 4/3+ Wetsuit",
        usd("280"),
        "santa cruz",
    )
    assert (last.external_id, last.title, last.price, last.location) == (
        "7881465229",
        "SURFBOARD Roberts Jackal 5'6\" - 30.5L",
        usd("300"),
        "albany / el cerrito",
    )


def test_static_gigs_page_zero_prices_are_flagged(page: Page) -> None:
    result = Craigslist().parse_search(
        page(SITE, "search_static_lasvegas_ggg_2025-07-15.html"),
        "https://lasvegas.craigslist.org/search/ggg",
        SAVED_VEGAS,
    )
    listings = result.listings
    assert len(listings) == 304 and len({x.external_id for x in listings}) == 304
    # Gigs print "$0": kept as 0 but marked, so no valuation reads it as a free item.
    assert {(x.price, x.price_note) for x in listings} == {(usd("0"), "zero")}
    assert sum(x.location is None for x in listings) == 114
    first, second, last = listings[0], listings[1], listings[-1]
    # The source title has two spaces after "needed."; titles are whitespace-collapsed.
    assert (first.external_id, first.title, first.location) == (
        "7866034261",
        "Pedicab riders needed. $400+ per day",
        "Las Vegas",
    )
    assert (
        first.url
        == "https://lasvegas.craigslist.org/lbg/d/las-vegas-pedicab-riders-needed-400-per/7866034261.html"
    )
    assert (second.external_id, second.title, second.location) == (
        "7866027441",
        "General Labor Help – $50/hr – Work at Your Own Pace!",
        None,
    )
    assert (last.external_id, last.title, last.location) == (
        "7862186412",
        "Online Research Work - Get Paid Fast",
        None,
    )


def test_rendered_thumb_view(page: Page) -> None:
    result = Craigslist().parse_search(
        page(SITE, "search_rendered-thumb_lasvegas_ggg_2025-07-15.html"),
        "https://lasvegas.craigslist.org/search/ggg",
        SAVED_VEGAS,
    )
    listings = result.listings
    assert len(listings) == 200 and len({x.external_id for x in listings}) == 200
    assert all(x.price is None for x in listings)
    first = listings[0]
    assert (first.external_id, first.title) == ("7866046901", "EXCLUSIVE NETWORKING MANSION EVENT")
    assert (
        first.url
        == "https://lasvegas.craigslist.org/evg/d/las-vegas-exclusive-networking-mansion/7866046901.html"
    )
    # The time span's title is JavaScript's full date: exact, not the rounded "48m ago".
    assert first.posted_at == datetime(2025, 7, 16, 1, 35, 30, tzinfo=UTC)
    # On gigs the text after the time is the pay, not a place.
    assert first.location is None and first.raw["compensation"] == "DOE - Position"
    assert listings[1].external_id == "7866034261"
    assert (listings[-1].external_id, listings[-1].title) == (
        "7864068595",
        "Retail Sales Associate - Join Fast",
    )
    assert listings[-1].posted_at == datetime(2025, 7, 8, 11, 50, 32, tzinfo=UTC)
    assert (result.total, result.next_url) == (None, None)


def test_legacy_result_rows_jobs_page(page: Page) -> None:
    result = Craigslist().parse_search(
        page(SITE, "search_result-row_sfbay_pen_sof_2019-12-05.html"),
        "https://sfbay.craigslist.org/search/pen/sof",
        datetime(2019, 12, 6, tzinfo=UTC),
    )
    listings = result.listings
    assert len(listings) == 144 and not result.failures
    assert [x.raw["nearby"] for x in listings].count(False) == 75
    assert all(x.raw["nearby"] for x in listings[75:])
    assert all(x.price is None and x.price_note == "no price" for x in listings)
    assert sum("repost_of" in x.raw for x in listings) == 101
    first = listings[0]
    # Mojibake: the em dash was lost when the page was saved; only "â" survives, and it is kept as is.
    assert (first.external_id, first.title, first.location) == (
        "7033007594",
        "Senior Software Engineer â Query Optimizer",
        "redwood city",
    )
    assert (
        first.url
        == "https://sfbay.craigslist.org/pen/sof/d/redwood-city-senior-software-engineer/7033007594.html"
    )
    assert first.posted_at == datetime(2019, 12, 5, 22, 34, tzinfo=UTC)  # 14:34 Pacific
    assert listings[1].title == "Senior Software Engineer â Database Internals (ClustrixDB)"
    assert listings[1].posted_at == datetime(2019, 12, 5, 22, 30, tzinfo=UTC)
    assert (listings[2].external_id, listings[2].title, listings[2].location) == (
        "7032965645",
        "Product Line Manager",
        None,
    )
    last = listings[-1]
    assert (last.external_id, last.title) == ("7020243681", "Software Engineering Fellowship")
    assert last.url.startswith("https://sacramento.craigslist.org/")
    assert last.posted_at == datetime(2019, 11, 14, 23, 46, tzinfo=UTC)
    assert (result.total, result.next_url) == (75, None)


@pytest.mark.parametrize(
    ("name", "pid", "title", "price", "place", "posted", "updated", "images"),
    [
        (
            "listing_boston_for_solar-tea-light_2023-11-29.html",
            "7692736931",
            "Solar tea light",
            usd("5"),
            "Peabody",
            "2023-11-29T20:23:46-05:00",
            None,
            4,
        ),
        (
            "listing_boston_mcd_no-price_2023-07-25.html",
            "7647523987",
            "2019 Suzuki DR650 SKU:UK2101120-CA Suzuki DR650",
            None,
            "windham new hampshire",
            "2023-07-25T20:10:58-04:00",
            None,
            2,
        ),
        (
            "listing_boston_ele_updated_2023-07-26.html",
            "7643980056",
            "2 24” LG Monitors in Excellent Condition",
            usd("90"),
            "Sudbury",
            "2023-07-16T08:51:04-04:00",
            "2023-07-25T21:40:48-04:00",
            2,
        ),
        (
            "listing_boston_mcy_single-image_2023-07-26.html",
            "7647759587",
            "1981 Kawasaki KZ75OH",
            usd("500"),
            None,
            "2023-07-26T14:07:36-04:00",
            "2023-07-26T14:07:37-04:00",
            1,
        ),
    ],
)
def test_posting_pages(
    page: Page,
    name: str,
    pid: str,
    title: str,
    price: Money | None,
    place: str | None,
    posted: str,
    updated: str | None,
    images: int,
) -> None:
    listing = Craigslist().parse_listing(page(SITE, name), "", SAVED_BOSTON)
    assert (listing.external_id, listing.title, listing.price, listing.location) == (pid, title, price, place)
    assert listing.posted_at == datetime.fromisoformat(posted)
    assert listing.updated_at == (datetime.fromisoformat(updated) if updated else None)
    assert len(listing.image_urls) == images
    assert not str(listing.raw["description"]).startswith("QR Code Link")


def test_posting_details(page: Page) -> None:
    adapter = Craigslist()
    tea = adapter.parse_listing(
        page(SITE, "listing_boston_for_solar-tea-light_2023-11-29.html"), "", SAVED_BOSTON
    )
    assert tea.raw["tags"] == ["delivery available"]
    assert tea.raw["attributes"] == {"make / manufacturer": "Sorrento"}
    assert (tea.raw["latitude"], tea.raw["longitude"]) == ("42.532600", "-70.961200")
    dealer = adapter.parse_listing(
        page(SITE, "listing_boston_mcd_no-price_2023-07-25.html"), "", SAVED_BOSTON
    )
    assert (dealer.price, dealer.price_note) == (None, "no price")
    assert dealer.raw["attributes"] == {
        "VIN": "JS1SP46A2K2101120",
        "fuel": "",
        "odometer": "3478",
        "paint color": "custom",
        "title status": "clean",
        "transmission": "other",
    }
    assert dealer.raw["map_address"] == "60 Range Rd"
    monitors = adapter.parse_listing(
        page(SITE, "listing_boston_ele_updated_2023-07-26.html"), "", SAVED_BOSTON
    )
    assert monitors.condition == "like new"
    assert monitors.updated_at is not None and monitors.posted_at is not None
    assert monitors.updated_at - monitors.posted_at > timedelta(days=9)
    bike = adapter.parse_listing(
        page(SITE, "listing_boston_mcy_single-image_2023-07-26.html"), "", SAVED_BOSTON
    )
    attributes = bike.raw["attributes"]
    assert isinstance(attributes, dict)
    assert (attributes["odometer"], attributes["engine displacement (CC)"]) == ("22001", "750")
    assert bike.raw["map_address"] == "Route 6A near 6A"


def test_a_mangled_card_is_a_failure_and_the_rest_survive(page: Page) -> None:
    html = page(SITE, "search_rendered-gallery_boston_sss_2023-11-29.html")
    mangled = html.replace('data-pid="7692736919"', "").replace("7692736919.html", "posting.html")
    result = Craigslist().parse_search(mangled, "", SAVED_BOSTON)
    assert len(result.listings) == 119 and result.seen == 120
    (failure,) = result.failures
    assert failure.index == 1 and "no posting id" in failure.reason
    assert "WEN by Chaz Dean" in failure.raw
    assert result.listings[0].external_id == "7692736931"
    assert result.listings[-1].external_id == "7686465065"


def test_a_search_without_a_site_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Craigslist().search_url(SearchQuery("road bike"))
