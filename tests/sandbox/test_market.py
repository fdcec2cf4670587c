"""The sandbox marketplaces: the real adapters read every page into the catalogue's listings and prices,
sold results scatter around the hidden values, cross-posts share photos, and all of it follows the seed."""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from dealwatch.demo_flip import sandbox_searches
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.marketplaces import (
    Craigslist,
    Ebay,
    FacebookMarketplace,
    Marketplace,
    OfferUp,
    SearchQuery,
)
from dealwatch.sandbox import SandboxServer, SandboxWorld
from dealwatch.sandbox.market import CATEGORY_CODES, MARKETPLACES, SOLD_DAYS, SandboxMarket
from dealwatch.sandbox.market_pages import MarketSites, market_page, photo_png

TODAY = date(2025, 12, 31)
NOW = datetime(2025, 12, 31, 12, tzinfo=UTC)
ADAPTERS: dict[str, Marketplace] = {
    "craigslist": Craigslist(),
    "facebook": FacebookMarketplace(),
    "offerup": OfferUp(),
    "ebay": Ebay(),
}
SITES = MarketSites(
    {name: f"http://127.0.0.{50 + i}:8000" for i, name in enumerate(MARKETPLACES)}, "http://127.0.0.60:8000"
)


@pytest.fixture(scope="module")
def market() -> SandboxMarket:
    return SandboxMarket.generate(seed=5, today=TODAY, listings=40)


def _get(market: SandboxMarket, site: str, url: str) -> str:
    parts = urlsplit(url)
    page = market_page(market, SITES, site, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))
    assert page is not None and page.status == 200, url
    return page.body.decode()


def _category_pages(market: SandboxMarket, marketplace: str) -> Iterator[tuple[str, list[ListingDraft]]]:
    """Each category's search page, fetched at the adapter's own search URL, read by the adapter."""
    adapter = ADAPTERS[marketplace]
    for spec in sandbox_searches(SITES.urls):
        if spec.marketplace == marketplace:
            assert spec.url is not None
            page = adapter.parse_search(_get(market, marketplace, spec.url), spec.url, NOW)
            assert not page.failures and page.blocked is None
            yield spec.category or "", list(page.listings)


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_the_real_adapters_read_every_search_page_into_the_catalogue(
    market: SandboxMarket, marketplace: str
) -> None:
    seen: list[str] = []
    for category, drafts in _category_pages(market, marketplace):
        for draft in drafts:
            truth = market.listing(marketplace, draft.external_id)
            assert truth is not None
            assert CATEGORY_CODES[truth.product.category][marketplace] == category
            assert draft.title == truth.title
            assert (draft.price.amount if draft.price else None) == truth.price
            assert draft.currency == "USD"
            assert list(draft.image_urls[:1]) == [SITES.image(i) for i in truth.image_ids[:1]]
            seen.append(draft.external_id)
    # every listing once, on exactly one category page
    assert sorted(seen) == sorted(item.external_id for item in market.on(marketplace))


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_the_real_adapters_read_every_listing_page(market: SandboxMarket, marketplace: str) -> None:
    adapter = ADAPTERS[marketplace]
    paths = {
        "craigslist": lambda d: urlsplit(d.url).path,
        "facebook": lambda d: f"/marketplace/item/{d.external_id}/",
        "offerup": lambda d: f"/item/detail/{d.external_id}",
        "ebay": lambda d: f"/itm/{d.external_id}",
    }
    for _, drafts in _category_pages(market, marketplace):
        for draft in drafts:
            url = SITES.urls[marketplace] + paths[marketplace](draft)
            one = adapter.parse_listing(_get(market, marketplace, url), url, NOW)
            truth = market.listing(marketplace, draft.external_id)
            assert truth is not None
            assert (one.external_id, one.title) == (truth.external_id, truth.title)
            assert (one.price.amount if one.price else None) == truth.price
            assert one.image_urls == tuple(SITES.image(i) for i in truth.image_ids)
            if marketplace != "ebay":  # eBay's item page shows no listing time
                assert one.posted_at is not None and abs(one.posted_at - truth.posted_at) < timedelta(
                    minutes=1
                )


def test_sold_results_are_the_comps_source_around_the_hidden_values(market: SandboxMarket) -> None:
    item = next(i for i in market.listings if i.kind == "fair" and i.product.model in i.title)
    url = Ebay(SITES.urls["ebay"]).search_url(SearchQuery(text=item.title, sold_only=True))
    page = Ebay().parse_search(_get(market, "ebay", url), url, NOW)
    assert page.skipped == {"placeholder": 1} and not page.failures
    assert any(d.sold for d in page.listings)
    products = set()
    for draft in page.listings:
        comp = market.sold_item(draft.external_id)
        assert comp is not None and draft.price is not None
        products.add(comp.product.product_id)
        assert draft.price.amount == comp.price and draft.sold == comp.sold
        assert draft.sold_at is None or NOW - timedelta(days=SOLD_DAYS + 1) <= draft.sold_at <= NOW
    assert item.product.product_id in products
    # plain used sales of one product sit around its hidden value; outliers and unsold ones exist
    for product in market.products:
        used = [
            c.price
            for c in market.sold
            if c.product == product and c.sold and c.condition == "used" and not c.outlier
        ]
        if len(used) >= 3:
            assert 0.75 < float(statistics.median(used)) / float(product.value) < 1.3
    assert {c.outlier for c in market.sold} >= {None, "bundle", "accessory", "typo"}
    assert any(not c.sold for c in market.sold)


def test_cross_posts_share_the_item_and_its_photos_not_the_wording(market: SandboxMarket) -> None:
    pairs = market.crossposts()
    assert len(pairs) >= 5
    for first, second in pairs:
        assert first.marketplace != second.marketplace
        assert (first.product, first.condition, first.true_value) == (
            second.product,
            second.condition,
            second.true_value,
        )
        assert first.image_ids == second.image_ids and first.image_ids
        assert first.title != second.title
        assert first.price is not None and second.price is not None
        assert abs(first.price - second.price) <= Decimal("0.08") * first.price + 1


def test_photos_are_pictures_of_their_own() -> None:
    from PIL import Image

    from dealwatch.flip.images import difference_hash, hash_distance, informative

    ids = [f"{n:016x}" for n in range(12)]
    assert photo_png(ids[0]) == photo_png(ids[0])
    hashes = [difference_hash(Image.open(io.BytesIO(photo_png(i)))) for i in ids]
    assert all(informative(h) for h in hashes)
    assert min(hash_distance(a, b) for n, a in enumerate(hashes) for b in hashes[n + 1 :]) > 8


def test_listing_kinds_follow_their_hidden_truth(market: SandboxMarket) -> None:
    kinds = {item.kind for item in market.listings}
    assert kinds == {"fair", "underpriced", "overpriced", "scam", "no price"}
    for item in market.listings:
        if item.kind == "scam":
            assert item.price is not None and item.price <= Decimal("0.16") * item.true_value
            assert "Zelle or gift card" in item.description
        elif item.kind == "underpriced":
            assert item.price is not None and item.price <= Decimal("0.7") * item.true_value
        elif item.kind == "no price":
            assert item.price is None and item.marketplace == "craigslist"


def test_the_market_follows_its_seed() -> None:
    one, again = (SandboxMarket.generate(seed=9, today=TODAY, listings=15) for _ in range(2))
    other = SandboxMarket.generate(seed=10, today=TODAY, listings=15)
    assert one.listings == again.listings and one.sold == again.sold and one.products == again.products
    assert [i.title for i in one.listings] != [i.title for i in other.listings]
    assert len({(i.marketplace, i.external_id) for i in one.listings}) == len(one.listings)
    for marketplace in MARKETPLACES:
        assert len([i for i in one.listings if i.marketplace == marketplace]) >= 15
    with pytest.raises(ValueError, match="at least one listing"):
        SandboxMarket.generate(listings=0)


async def test_the_server_serves_each_marketplace_on_its_own_address(market: SandboxMarket) -> None:
    world = SandboxWorld.generate(n_stores=2, seed=5, start=TODAY, days=1)
    async with SandboxServer(world, market=market) as server:
        urls = {site: server.marketplace_url(site) for site in (*MARKETPLACES, "images")}
        assert len({urlsplit(u).hostname for u in urls.values()}) == 5
        async with httpx.AsyncClient() as client:
            listed = (await client.get(f"{server.admin_url}/__admin/marketplaces")).json()
            assert listed == urls
            robots = await client.get(f"{urls['ebay']}/robots.txt")
            assert robots.status_code == 200 and "Allow: /" in robots.text
            search = await client.get(f"{urls['craigslist']}/search/sss")
            page = Craigslist().parse_search(search.text, str(search.url), NOW)
            assert len(page.listings) == len(market.on("craigslist"))
            photo = await client.get(page.listings[0].image_urls[0])
            assert photo.headers["content-type"] == "image/png" and photo.content.startswith(b"\x89PNG")
            assert (await client.get(f"{urls['offerup']}/item/detail/nope")).status_code == 404
            assert (await client.post(f"{urls['facebook']}/marketplace/boston/search")).status_code == 405
            store = await client.get(server.store_url(world.stores[0].slug))
            assert store.status_code == 200  # the stores still answer beside the marketplaces
