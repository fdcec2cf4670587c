"""Facebook Marketplace: search/category feeds and item pages, logged in or out.

Facebook serves listings only to a browser, so this adapter starts at the browser tier, which uses the
operator's own persistent, logged-in browser profile when one is configured; dealwatch never logs in,
signs up or creates accounts itself. Class names are generated per build, so nothing here selects on
them. Search cards are read from the DOM (`a[href*="/marketplace/item/<id>/"]` and the order of their
strings: price, optional old price, title, place, mileage), because the embedded Relay JSON holds only
the first batch (14 of 21 on a logged-in search); the JSON then adds seller and sold state by id.
Item pages are read from the Relay JSON for the page's item id (exact amount and currency, creation
time, seller), with the DOM strings after the one `<h1>` as the fallback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus, urlencode

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dealwatch.flip.listing import BlockedPage, ListingDraft, SearchPage, Unparseable
from dealwatch.flip.marketplaces.base import SearchQuery, marketplaces
from dealwatch.flip.marketplaces.cards import (
    NotAListing,
    clean,
    node_html,
    read_cards,
    strings_of,
    unique,
    wall,
)
from dealwatch.flip.prices import money_or_none, read_price
from dealwatch.flip.times import from_epoch, relative_age

BASE = "https://www.facebook.com"
_ITEM_ID = re.compile(r"/marketplace/item/(\d+)")
_PRODUCT_ID = re.compile(r"[?&]product_id=(\d+)")
_PRICE_LIKE = re.compile(
    r"^(?:free|(?:[A-Z]{0,3}\s?[$€£¥₹₩₱฿]|R\$)\s?\d[\d.,]*|\d[\d.,]*\s?(?:[$€£¥₹₩₱฿]|kr|zł|円))"
    r"(?:\s*/\s*\w+)?$",
    re.IGNORECASE,
)
_MILEAGE = re.compile(r"^([\d.,]+K?\s*(?:miles|mi|km))\b", re.IGNORECASE)
_SHIPS = re.compile(r"^ships to you$|^shipping available$", re.IGNORECASE)
_BADGES = {"Sold", "Pending", "·", "Just listed"}
_KM_PER_MILE = 1.609344
_CONDITIONS = {
    "NEW": "New",
    "USED": "Used",
    "PC_USED_LIKE_NEW": "Used - Like New",
    "PC_USED_GOOD": "Used - Good",
    "PC_USED_FAIR": "Used - Fair",
    "PC_REFURBISHED": "Refurbished",
}


def _objects(value: Any, key: str) -> Iterator[dict[str, Any]]:
    """Every dict inside `value` (a parsed Relay blob) that has `key`."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if key in item:
                yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _relay_blobs(tree: LexborHTMLParser, marker: str) -> Iterator[Any]:
    """The embedded JSON blobs whose text mentions `marker` (the rest are skipped unparsed)."""
    for script in tree.css('script[type="application/json"]'):
        text = script.text()
        if marker in text:
            try:
                yield json.loads(text)
            except ValueError:
                continue


def _get(data: Mapping[str, Any] | None, *path: str) -> Any:
    for step in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(step)
    return data


def _place(listing: Mapping[str, Any]) -> str | None:
    geocode = _get(listing, "location", "reverse_geocode") or {}
    city, state = geocode.get("city"), geocode.get("state")
    return ", ".join(p for p in (city, state) if p) or None


class FacebookMarketplace:
    """Facebook Marketplace search feeds and item pages."""

    name = "facebook"
    fetch_tier = "browser"

    def __init__(self, currency: str = "USD") -> None:
        # The currency a bare "$" means; Marketplace prints the seller's currency symbol otherwise.
        self.currency = currency

    def search_url(self, search: SearchQuery) -> str:
        """`https://www.facebook.com/marketplace/<place>/search?query=...` (radius in km).

        Without a place, Facebook searches around the logged-in profile's own location.
        """
        place = quote_plus(search.location) if search.location else ""
        params: dict[str, str | int] = {}
        if search.text.strip():
            params["query"] = search.text.strip()
        if search.min_price is not None:
            params["minPrice"] = str(search.min_price)
        if search.max_price is not None:
            params["maxPrice"] = str(search.max_price)
        if search.radius_mi is not None:
            params["radius"] = round(search.radius_mi * _KM_PER_MILE)
        if search.text.strip():
            path = f"{place}/search" if place else "search"
        else:
            path = f"{place}/{quote_plus(search.category or '')}" if place else f"category/{search.category}"
        query = f"?{urlencode(params)}" if params else ""
        return f"{BASE}/marketplace/{path}{query}"

    def parse_search(self, html_or_json: str, url: str, now: datetime) -> SearchPage:
        """Listings from a search or category feed: DOM cards first, then JSON-only ones."""
        blocked = wall(html_or_json)
        if blocked:
            return SearchPage(self.name, url, blocked=blocked)
        tree = LexborHTMLParser(html_or_json)
        feed: dict[str, dict[str, Any]] = {}
        for blob in _relay_blobs(tree, '"marketplace_listing_title"'):
            for listing in _objects(blob, "marketplace_listing_title"):
                if isinstance(listing.get("id"), str):
                    feed.setdefault(listing["id"], listing)
        cards: list[LexborNode | dict[str, Any]] = []
        on_page: set[str] = set()
        for anchor in tree.css('a[href*="/marketplace/item/"]'):
            match = _ITEM_ID.search(anchor.attributes.get("href") or "")
            if match is None:
                cards.append(anchor)  # read, and failed, so the odd link is on record
            elif match.group(1) not in on_page:
                on_page.add(match.group(1))
                cards.append(anchor)
        cards.extend(listing for item_id, listing in feed.items() if item_id not in on_page)
        if not cards and tree.css_first('form#login_form, form[action*="/login/"]') is not None:
            return SearchPage(self.name, url, blocked="login wall: the browser profile is not logged in")

        def read(card: LexborNode | dict[str, Any]) -> ListingDraft:
            if isinstance(card, dict):
                return self._json_card(card)
            return self._dom_card(card, feed)

        def raw(card: LexborNode | dict[str, Any]) -> str:
            return json.dumps(card) if isinstance(card, dict) else node_html(card)

        listings, failures, skipped = read_cards(cards, read, raw)
        return SearchPage(self.name, url, listings, failures, skipped)

    def _dom_card(self, anchor: LexborNode, feed: Mapping[str, dict[str, Any]]) -> ListingDraft:
        match = _ITEM_ID.search(anchor.attributes.get("href") or "")
        if match is None:
            raise Unparseable("item link without an id")
        item_id = match.group(1)
        strings = strings_of(anchor)
        badges = {s for s in strings if s in _BADGES}
        strings = [s for s in strings if s not in _BADGES]
        prices = []
        while strings and _PRICE_LIKE.match(strings[0]):
            prices.append(strings.pop(0))
        if not strings:
            raise NotAListing("card without a title") if not prices else Unparseable("card without a title")
        title, rest = strings[0], strings[1:]
        raw: dict[str, object] = {}
        location = None
        for text in rest:
            mileage = _MILEAGE.match(text)
            if mileage:
                raw["mileage"] = mileage.group(1)
                raw["dealership"] = text.endswith("Dealership")
            elif _SHIPS.match(text):
                raw["ships"] = True
            elif location is None:
                location = text
        reading = read_price(prices[0] if prices else None, self.currency)
        if len(prices) > 1:
            raw["was_price"] = prices[1]
        listing = feed.get(item_id, {})
        seller = _get(listing, "marketplace_listing_seller", "name")
        if listing.get("is_pending") or "Pending" in badges:
            raw["pending"] = True
        images = [img.attributes.get("src") for img in anchor.css("img")]
        return ListingDraft(
            marketplace=self.name,
            external_id=item_id,
            title=title,
            url=f"{BASE}/marketplace/item/{item_id}/",
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=location or _place(listing),
            image_urls=unique(images),
            seller=seller,
            sold=bool(listing.get("is_sold")) or "Sold" in badges,
            raw=raw,
        )

    def _json_card(self, listing: Mapping[str, Any]) -> ListingDraft:
        item_id = str(listing["id"])
        shown = _get(listing, "listing_price", "formatted_amount")
        reading = read_price(shown, self.currency)
        price = money_or_none(_get(listing, "listing_price", "amount"), reading.currency) or reading.price
        return ListingDraft(
            marketplace=self.name,
            external_id=item_id,
            title=clean(listing["marketplace_listing_title"]),
            url=f"{BASE}/marketplace/item/{item_id}/",
            price=price,
            price_note=reading.note,
            currency=reading.currency,
            location=_place(listing),
            image_urls=unique([_get(listing, "primary_listing_photo", "image", "uri")]),
            seller=_get(listing, "marketplace_listing_seller", "name"),
            sold=bool(listing.get("is_sold")),
            raw={"from": "json", "pending": bool(listing.get("is_pending"))},
        )

    def parse_listing(self, html: str, url: str, now: datetime) -> ListingDraft:
        """An item page: the Relay JSON for this item id, the DOM strings after the `<h1>` as fallback."""
        blocked = wall(html)
        if blocked:
            raise BlockedPage(blocked)
        tree = LexborHTMLParser(html)
        item_id = self._item_id(tree, html, url)
        # The item's fields are spread over several objects carrying its id (photos sit apart).
        parts = [
            candidate
            for blob in _relay_blobs(tree, "marketplace_product_details_page")
            for candidate in _objects(blob, "id")
            if candidate.get("id") == item_id
        ]
        listing: dict[str, Any] = {}
        for part in sorted(parts, key=len, reverse=True):
            for key, value in part.items():
                listing.setdefault(key, value)
        heading, after = self._strings_after_h1(tree)
        if not heading and not listing:
            if tree.css_first('form#login_form, form[action*="/login/"]') is not None:
                raise BlockedPage("login wall: the browser profile is not logged in")
            raise Unparseable(f"no listing on {url}")
        title = " ".join(s for s in heading if s not in _BADGES) or clean(
            listing.get("custom_title") or listing.get("marketplace_listing_title")
        )
        shown_price = next((s for s in after[:4] if _PRICE_LIKE.match(s)), None)
        reading = read_price(shown_price, self.currency)
        currency = _get(listing, "listing_price", "currency") or reading.currency
        price = money_or_none(_get(listing, "listing_price", "amount"), currency)
        if price is None:
            price, currency = reading.price, reading.currency
        posted_at = from_epoch(listing.get("creation_time"))
        if posted_at is None:
            posted_at = next((t for s in after[:8] if (t := relative_age(s, now)) is not None), None)
        raw = self._raw(listing, after)
        return ListingDraft(
            marketplace=self.name,
            external_id=item_id,
            title=title,
            url=f"{BASE}/marketplace/item/{item_id}/",
            price=price,
            price_note=reading.note if shown_price else ("no price" if price is None else None),
            currency=currency,
            location=_get(listing, "location_text", "text") or self._dom_place(after),
            condition=self._condition(listing, after),
            image_urls=self._images(tree, listing),
            posted_at=posted_at,
            seller=self._seller(listing, after),
            sold=bool(listing.get("is_sold")) or "Sold" in heading,
            raw=raw,
        )

    @staticmethod
    def _item_id(tree: LexborHTMLParser, html: str, url: str) -> str:
        og_url = tree.css_first('meta[property="og:url"]')
        for text in (url, og_url.attributes.get("content") if og_url else None):
            match = _ITEM_ID.search(text or "")
            if match:
                return match.group(1)
        product = _PRODUCT_ID.search(html)
        if product:
            return product.group(1)
        raise Unparseable(f"no item id on {url}")

    @staticmethod
    def _strings_after_h1(tree: LexborHTMLParser, limit: int = 80) -> tuple[list[str], list[str]]:
        """The `<h1>`'s own strings, and the visible strings that follow it (scripts and styles left out)."""
        h1 = tree.css_first("h1")
        body = tree.body
        if h1 is None or body is None:
            return [], []
        heading = strings_of(h1)
        after: list[str] = []
        inside_h1 = True
        started = False
        for node in body.traverse(include_text=True):
            if node.mem_id == h1.mem_id:
                started = True
                continue
            if not started or not node.is_text_node:
                continue
            parent = node.parent
            if parent is not None and parent.tag in {"script", "style"}:
                continue
            if inside_h1 and parent is not None and _within(parent, h1):
                continue
            inside_h1 = False
            text = clean(node.text_content)
            if text:
                after.append(text)
                if len(after) >= limit:
                    break
        return heading, after

    @staticmethod
    def _dom_place(after: list[str]) -> str | None:
        for index, text in enumerate(after[:-1]):
            if text in {"in", "Rental Location"} or (text.startswith("Listed") and text.endswith(" in")):
                return after[index + 1]
        return None

    @staticmethod
    def _condition(listing: Mapping[str, Any], after: list[str]) -> str | None:
        for attribute in listing.get("attribute_data") or []:
            if isinstance(attribute, Mapping) and attribute.get("attribute_name") == "Condition":
                return str(attribute.get("label") or attribute.get("value"))
        if listing.get("condition"):
            return _CONDITIONS.get(listing["condition"], str(listing["condition"]).title())
        if "Condition" in after[:-1]:
            return after[after.index("Condition") + 1]
        return None

    @staticmethod
    def _seller(listing: Mapping[str, Any], after: list[str]) -> str | None:
        name = _get(listing, "marketplace_listing_seller", "name")
        actors = _get(listing, "story", "actors") or []
        if not name and actors and isinstance(actors[0], Mapping):
            name = actors[0].get("name")
        if not name and "Seller details" in after[:-1]:
            name = after[after.index("Seller details") + 1]
        return name or None

    @staticmethod
    def _images(tree: LexborHTMLParser, listing: Mapping[str, Any]) -> tuple[str, ...]:
        photos = [_get(photo, "image", "uri") for photo in listing.get("listing_photos") or []]
        if not any(photos):
            og = tree.css_first('meta[property="og:image"]')
            photos = [og.attributes.get("content")] if og else []
        return unique(photos)

    @staticmethod
    def _raw(listing: Mapping[str, Any], after: list[str]) -> dict[str, object]:
        raw: dict[str, object] = {}
        description = _get(listing, "redacted_description", "text")
        if description:
            raw["description"] = description.strip()
        odometer = listing.get("vehicle_odometer_data") or {}
        if odometer.get("value") is not None:
            raw["odometer"] = odometer["value"]
            raw["odometer_unit"] = odometer.get("unit")
        category = _get(listing, "marketplace_listing_category", "slug")
        if category:
            raw["category"] = category
        for key in ("is_pending", "delivery_types", "vehicle_transmission_type", "vehicle_exterior_color"):
            if listing.get(key) not in (None, [], ""):
                raw[key.removeprefix("is_")] = listing[key]
        seller_id = _get(listing, "marketplace_listing_seller", "id")
        if seller_id:
            raw["seller_id"] = seller_id
        if "Joined Facebook in" in after[:-1]:
            raw["seller_joined"] = after[after.index("Joined Facebook in") + 1]
        return raw


def _within(node: LexborNode, ancestor: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id == ancestor.mem_id:
            return True
        current = current.parent
    return False


marketplaces.register("facebook")(FacebookMarketplace)
