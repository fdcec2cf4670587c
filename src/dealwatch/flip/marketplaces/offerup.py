"""OfferUp: the explore/search page's `__NEXT_DATA__` feed, the GraphQL `GetModularFeed` JSON the
site pages with, the cards an infinite scroll added to a rendered page, and item pages.

Feed tiles are typed: only `ModularFeedTileListing` is an organic listing. Google display ads and
seller ads (promoted listings wrapping a real listing) are counted in `skipped`, never listed, so a
paid placement is not mistaken for what the search found. Prices arrive as strings ("24000",
"18599.00") in US dollars.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dealwatch.flip.listing import BlockedPage, ListingDraft, SearchPage, Unparseable
from dealwatch.flip.marketplaces.base import SearchQuery, marketplaces
from dealwatch.flip.marketplaces.cards import NotAListing, clean, node_html, read_cards, unique, wall
from dealwatch.flip.prices import money_or_none, read_price
from dealwatch.flip.times import from_iso

BASE = "https://offerup.com"
_ITEM_ID = re.compile(r"/item/detail/([0-9A-Za-z-]+)")
# A card's aria-label: "<title> $24,000 101k miles in Wichita, KS " (the mileage is optional).
_LABEL_TAIL = re.compile(
    r"\s(?P<price>[$][\d,.]+|Free)\s*(?P<miles>[\d.,]+k? miles)?\s*in\s+(?P<place>[^$]+?)\s*$"
)
_SKIPPED_TILES = {
    "ModularFeedTileGoogleDisplayAd": "display ad",
    "ModularFeedTileSellerAd": "seller ad",
}


class OfferUp:
    """OfferUp feeds (HTML with `__NEXT_DATA__`, or GraphQL JSON) and item pages."""

    name = "offerup"
    fetch_tier = "http"

    def search_url(self, search: SearchQuery) -> str:
        """`https://offerup.com/search?q=...&PRICE_MIN=...&DISTANCE=...`, or a category's explore page."""
        params: dict[str, str | int] = {}
        if search.min_price is not None:
            params["PRICE_MIN"] = str(search.min_price)
        if search.max_price is not None:
            params["PRICE_MAX"] = str(search.max_price)
        if search.radius_mi is not None:
            params["DISTANCE"] = search.radius_mi
        if search.postal_code:
            params["zipcode"] = search.postal_code
        if not search.text.strip():
            query = f"?{urlencode(params)}" if params else ""
            return f"{BASE}/explore/k/{search.category}{query}"
        return f"{BASE}/search?{urlencode({'q': search.text.strip(), **params})}"

    def parse_search(self, html_or_json: str, url: str, now: datetime) -> SearchPage:
        """Organic listings from a feed; ads are counted in `skipped`."""
        if html_or_json.lstrip().startswith("{"):
            try:
                feed = json.loads(html_or_json)
            except ValueError as exc:
                raise Unparseable(f"OfferUp feed is not JSON: {exc}") from exc
            modular = _get(feed, "data", "modularFeed")
            if not isinstance(modular, Mapping):
                raise Unparseable(f"no modularFeed in the GraphQL response: {str(feed.get('errors'))[:300]}")
            listings, failures, skipped = read_cards(modular.get("looseTiles") or [], self._tile, json.dumps)
            return SearchPage(
                self.name, url, listings, failures, skipped, next_cursor=modular.get("pageCursor") or None
            )
        blocked = wall(html_or_json)
        if blocked:
            return SearchPage(self.name, url, blocked=blocked)
        tree = LexborHTMLParser(html_or_json)
        tiles: list[Any] = []
        cursor = None
        script = tree.css_first("script#__NEXT_DATA__")
        if script is not None:
            try:
                next_data = json.loads(script.text())
            except ValueError as exc:
                raise Unparseable(f"__NEXT_DATA__ is not JSON: {exc}") from exc
            feed_response = _get(next_data, "props", "pageProps", "searchFeedResponse") or {}
            tiles = list(feed_response.get("looseTiles") or [])
            cursor = feed_response.get("nextPageCursor") or None
        in_feed = {_get(tile, "listing", "listingId") for tile in tiles}
        # An infinite scroll adds cards the server data never held; they are read from the DOM.
        for anchor in tree.css('a[href*="/item/detail/"]'):
            match = _ITEM_ID.search(anchor.attributes.get("href") or "")
            if match and match.group(1) not in in_feed:
                in_feed.add(match.group(1))
                tiles.append(anchor)

        def read(tile: Any) -> ListingDraft:
            return self._card(tile) if isinstance(tile, LexborNode) else self._tile(tile)

        def raw(tile: Any) -> str:
            return node_html(tile) if isinstance(tile, LexborNode) else json.dumps(tile)

        listings, failures, skipped = read_cards(tiles, read, raw)
        next_link = tree.css_first("link[rel=next]")
        return SearchPage(
            self.name,
            url,
            listings,
            failures,
            skipped,
            next_url=urljoin(BASE, next_link.attributes.get("href") or "") if next_link else None,
            next_cursor=cursor,
        )

    def _tile(self, tile: Mapping[str, Any]) -> ListingDraft:
        kind = tile.get("__typename") or tile.get("tileType")
        if kind in _SKIPPED_TILES:
            raise NotAListing(_SKIPPED_TILES[kind])
        if kind not in {"ModularFeedTileListing", "LISTING"}:
            raise NotAListing(f"tile {kind}")
        listing = tile["listing"]
        listing_id = str(listing["listingId"])
        reading = read_price(listing.get("price"))
        raw: dict[str, object] = {}
        if listing.get("vehicleMiles") is not None:
            raw["vehicle_miles"] = listing["vehicleMiles"]
        if listing.get("flags"):
            raw["flags"] = list(listing["flags"])
        if listing.get("isFirmPrice") is not None:
            raw["firm_price"] = listing["isFirmPrice"]
        return ListingDraft(
            marketplace=self.name,
            external_id=listing_id,
            title=clean(listing["title"]),
            url=f"{BASE}/item/detail/{listing_id}",
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=listing.get("locationName") or None,
            condition=listing.get("conditionText") or None,
            image_urls=unique([_get(listing, "image", "url")]),
            raw=raw,
        )

    def _card(self, anchor: LexborNode) -> ListingDraft:
        """A rendered card beyond the server data; lazily drawn cards keep only their labels."""
        match = _ITEM_ID.search(anchor.attributes.get("href") or "")
        if match is None:
            raise Unparseable("item link without an id")
        title = clean(anchor.attributes.get("title"))
        label = clean(anchor.attributes.get("aria-label"))
        tail = _LABEL_TAIL.search(label[len(title) :] if label.startswith(title) else label)
        if not title or tail is None:
            raise Unparseable(f"card label not understood: {label!r}")
        reading = read_price(tail.group("price"))
        raw: dict[str, object] = {"from": "dom"}
        if tail.group("miles"):
            raw["vehicle_miles_shown"] = tail.group("miles")
        images = [img.attributes.get("src") for img in anchor.css("img")]
        return ListingDraft(
            marketplace=self.name,
            external_id=match.group(1),
            title=title,
            url=f"{BASE}/item/detail/{match.group(1)}",
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=tail.group("place"),
            image_urls=unique(images),
            raw=raw,
        )

    def parse_listing(self, html: str, url: str, now: datetime) -> ListingDraft:
        """An item page, from its schema.org Product (JSON-LD) and Open Graph tags."""
        blocked = wall(html)
        if blocked:
            raise BlockedPage(blocked)
        tree = LexborHTMLParser(html)
        product: Mapping[str, Any] = {}
        for script in tree.css('script[type="application/ld+json"]'):
            try:
                data = json.loads(script.text())
            except ValueError:
                continue
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, Mapping) and item.get("@type") == "Product":
                    product = item
        match = _ITEM_ID.search(url) or _ITEM_ID.search(str(product.get("url") or ""))
        title = clean(product.get("name") or _meta(tree, "og:title"))
        if match is None or not title:
            raise Unparseable(f"no OfferUp item on {url}")
        offers = product.get("offers") or {}
        offer = offers[0] if isinstance(offers, list) and offers else offers
        currency = str(_get(offer, "priceCurrency") or "USD")
        price = money_or_none(_get(offer, "price"), currency)
        images = product.get("image") or _meta(tree, "og:image")
        seller = _get(offer, "seller", "name")
        condition = str(_get(offer, "itemCondition") or "").rsplit("/", 1)[-1].removesuffix("Condition")
        return ListingDraft(
            marketplace=self.name,
            external_id=match.group(1),
            title=title,
            url=f"{BASE}/item/detail/{match.group(1)}",
            price=price,
            price_note=None if price is not None else "no price",
            currency=currency,
            location=_get(offer, "availableAtOrFrom", "address", "addressLocality"),
            condition=condition or None,
            image_urls=unique(images if isinstance(images, list) else [images]),
            posted_at=from_iso(product.get("datePosted") or _get(offer, "validFrom")),
            seller=seller,
            sold=str(_get(offer, "availability") or "").endswith(("SoldOut", "OutOfStock")),
            raw={"description": clean(product.get("description"))} if product.get("description") else {},
        )


def _get(data: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(step)
    return data


def _meta(tree: LexborHTMLParser, prop: str) -> str | None:
    node = tree.css_first(f'meta[property="{prop}"]')
    return node.attributes.get("content") if node else None


marketplaces.register("offerup")(OfferUp)
