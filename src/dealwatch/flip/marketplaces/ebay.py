"""eBay: active and sold/completed search results (the comps source) and view-item pages.

Search results come in two markups: `li.s-item` (until mid-2025) and `li.s-card` (since). Each page
carries "Shop on eBay" placeholder cards linking to item 123456; they are skipped and counted. On
sold/completed searches each card's caption says "Sold  <date>" (a sale at that price) or
"Ended  <date>" (no sale: the last price is not a comp). Prices keep the currency eBay prints: a
Japanese-locale page says 円, a European seller's item page says EUR with a US $ approximation beside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dealwatch.core.money import Money
from dealwatch.flip.listing import BlockedPage, ListingDraft, SearchPage, Unparseable
from dealwatch.flip.marketplaces.base import SearchQuery, marketplaces
from dealwatch.flip.marketplaces.cards import NotAListing, clean, node_html, read_cards, text_of, unique, wall
from dealwatch.flip.prices import money_or_none, read_price
from dealwatch.flip.times import short_date

BASE = "https://www.ebay.com"
_ITEM_ID = re.compile(r"/itm/(?:[^/?#]+/)?(\d{9,})")
_PLACEHOLDER_ID = "123456"
_BIDS = re.compile(r"^(\d[\d,]*)\s*bids?\b", re.IGNORECASE)
_SOLD_COUNT = re.compile(r"^([\d,.]+K?)\+?\s*sold\b", re.IGNORECASE)
_SHIPPING = re.compile(r"delivery|shipping|postage|送料", re.IGNORECASE)
_FREE = re.compile(r"^free\b|無料", re.IGNORECASE)
_LOCATION = re.compile(r"^(?:Located in:?|from|発送元)\s+(.+)$", re.IGNORECASE)
_SELLER = re.compile(r"^(?P<name>\S.*?)\s+\(?(?P<feedback>[\d.]+%\s*positive.*|\([\d,.K]+\).*)$")
_TIME_LEFT = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*left", re.IGNORECASE)
_FORMATS = {"Buy It Now", "or Best Offer", "Best offer accepted", "Auction", "今すぐ落札"}
_COUNT = re.compile(r"\d[\d,.]*")
# The currency a bare "$" means on each eBay site.
_SITE_CURRENCY = {
    "ebay.com": "USD",
    "ebay.ca": "CAD",
    "ebay.com.au": "AUD",
    "ebay.co.uk": "GBP",
    "ebay.de": "EUR",
    "ebay.fr": "EUR",
    "ebay.it": "EUR",
    "ebay.es": "EUR",
}


def _site_currency(url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return _SITE_CURRENCY.get(host, "USD")


def _item_id(href: str) -> str | None:
    match = _ITEM_ID.search(href)
    return match.group(1) if match else None


def _image(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    src = node.attributes.get("data-defer-load") or node.attributes.get("src") or ""
    # ir.ebaystatic.com serves the grey placeholder drawn until the real image loads.
    return src if src.startswith("http") and "ebaystatic.com" not in src else None


class Ebay:
    """eBay search results (active, sold, completed) and view-item pages."""

    name = "ebay"
    fetch_tier = "http"

    def __init__(self, base: str = BASE) -> None:
        self.base = base.rstrip("/")

    def search_url(self, search: SearchQuery) -> str:
        """`https://www.ebay.com/sch/i.html?_nkw=...`; `sold_only` adds LH_Sold=1&LH_Complete=1."""
        params: dict[str, str | int] = {"_nkw": search.text.strip()}
        if search.category:
            params["_sacat"] = search.category
        if search.min_price is not None:
            params["_udlo"] = str(search.min_price)
        if search.max_price is not None:
            params["_udhi"] = str(search.max_price)
        if search.postal_code:
            params["_stpos"] = search.postal_code
        if search.radius_mi is not None:
            params["_sadis"] = search.radius_mi
        if search.sold_only:
            params["LH_Sold"] = 1
            params["LH_Complete"] = 1
        params["_ipg"] = 240
        return f"{self.base}/sch/i.html?{urlencode(params)}"

    def parse_search(self, html_or_json: str, url: str, now: datetime) -> SearchPage:
        """Listings from an s-item or s-card results page, sold/ended dates included."""
        blocked = wall(html_or_json)
        if blocked:
            return SearchPage(self.name, url, blocked=blocked)
        tree = LexborHTMLParser(html_or_json)
        currency = _site_currency(url or BASE)

        def read(card: LexborNode) -> ListingDraft:
            if "s-card" in (card.attributes.get("class") or "").split():
                return self._s_card(card, currency)
            return self._s_item(card, currency, now)

        listings, failures, skipped = read_cards(tree.css("li.s-item, li.s-card"), read, node_html)
        next_link = tree.css_first("a.pagination__next")
        next_href = next_link.attributes.get("href") if next_link else None
        return SearchPage(
            self.name,
            url,
            listings,
            failures,
            skipped,
            total=self._total(tree),
            next_url=urljoin(BASE, next_href) if next_href and next_href != "#" else None,
        )

    @staticmethod
    def _total(tree: LexborHTMLParser) -> int | None:
        """The result count from "5,072 results for ..." / "Nintendo Switchの結果7,400件以上"."""
        heading = tree.css_first("h1.srp-controls__count-heading")
        if heading is None:
            return None
        for bold in heading.css("span.BOLD"):
            text = text_of(bold).rstrip("+")
            if _COUNT.fullmatch(text):
                return int(re.sub(r"\D", "", text))
        match = _COUNT.search(text_of(heading))
        return int(re.sub(r"\D", "", match.group(0))) if match else None

    def _listing_link(self, card: LexborNode, link_selector: str) -> tuple[str, str | None]:
        link = card.css_first(link_selector)
        href = (link.attributes.get("href") if link else None) or ""
        return href, _item_id(href)

    def _s_card(self, card: LexborNode, currency: str) -> ListingDraft:
        linked_id = self._listing_link(card, "a.s-card__link[href]")[1]
        title = text_of(card.css_first(".s-card__title > span:not(.clipped)")) or text_of(
            card.css_first(".s-card__title")
        )
        if linked_id == _PLACEHOLDER_ID or title == "Shop on eBay":
            raise NotAListing("placeholder")
        item_id = card.attributes.get("data-listingid") or linked_id
        if not item_id:
            raise Unparseable("card without an item id")
        price_nodes = card.css(".s-card__price")
        reading = read_price(" ".join(text_of(n) for n in price_nodes) or None, currency)
        raw: dict[str, object] = {}
        note = reading.note
        if price_nodes and "strikethrough" in (price_nodes[0].attributes.get("class") or ""):
            # The asking price struck through: an offer below it was accepted, at a price eBay hides.
            note = "best offer accepted"
        was = card.css_first(".s-card__attribute-row .strikethrough:not(.s-card__price)")
        if was is not None:
            raw["was_price"] = text_of(was)
        if reading.high is not None:
            raw["price_high"] = str(reading.high.amount)
        fields = self._rows(
            [
                text_of(row)
                for row in card.css(".su-card-container__attributes__primary .s-card__attribute-row")
                if row.css_first(".s-card__price") is None
            ],
            reading.currency,
            raw,
        )
        for row in card.css(".su-card-container__attributes__secondary .s-card__attribute-row"):
            seller = _SELLER.match(text_of(row))
            if seller:
                fields["seller"] = seller.group("name")
                raw["seller_feedback"] = seller.group("feedback")
        sold, sold_at, ended_at = self._caption(card.css_first(".s-card__caption span"), raw)
        return ListingDraft(
            marketplace=self.name,
            external_id=item_id,
            title=title,
            url=f"{BASE}/itm/{item_id}",
            price=reading.price,
            price_note=note,
            currency=reading.currency,
            location=fields.get("location"),
            condition=text_of(card.css_first(".s-card__subtitle span")) or None,
            image_urls=unique([_image(card.css_first("img.s-card__image"))]),
            seller=fields.get("seller"),
            sold=sold,
            sold_at=sold_at,
            ended_at=ended_at,
            shipping=fields.get("shipping"),
            bids=fields.get("bids"),
            raw=raw,
        )

    def _s_item(self, card: LexborNode, currency: str, now: datetime) -> ListingDraft:
        href, item_id = self._listing_link(card, "a.s-item__link[href]")
        title_node = card.css_first(".s-item__title span[role=heading]") or card.css_first(".s-item__title")
        title = text_of(title_node).removeprefix("New Listing").strip()
        if item_id == _PLACEHOLDER_ID or title == "Shop on eBay":
            raise NotAListing("placeholder")
        if not href and not title:
            raise NotAListing("not a listing")
        if not item_id:
            raise Unparseable(f"card without an item id: {href[:120]!r}")
        reading = read_price(text_of(card.css_first(".s-item__price")) or None, currency)
        raw: dict[str, object] = {}
        rows = [
            text_of(node)
            for node in card.css(
                ".s-item__shipping, .s-item__bids, .s-item__location, .s-item__dynamic, "
                ".s-item__purchase-options, .s-item__purchase-options-with-icon, .s-item__hotness"
            )
        ]
        fields = self._rows(rows, reading.currency, raw)
        seller_text = text_of(card.css_first(".s-item__seller-info-text"))
        seller = _SELLER.match(seller_text)
        if seller:
            fields["seller"] = seller.group("name")
            raw["seller_feedback"] = seller.group("feedback")
        time_left = text_of(card.css_first(".s-item__time-left"))
        if time_left:
            raw["time_left"] = time_left
            ends = _TIME_LEFT.search(time_left)
            if ends and any(ends.groups()):
                days, hours, minutes, seconds = (int(g or 0) for g in ends.groups())
                raw["ends_at"] = (now + timedelta(days, seconds, minutes=minutes, hours=hours)).isoformat()
        sold, sold_at, ended_at = self._caption(
            card.css_first(".s-item__caption span, .s-item__caption"), raw
        )
        if reading.high is not None:
            raw["price_high"] = str(reading.high.amount)
        return ListingDraft(
            marketplace=self.name,
            external_id=item_id,
            title=title,
            url=f"{BASE}/itm/{item_id}",
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=fields.get("location"),
            condition=text_of(card.css_first(".s-item__subtitle .SECONDARY_INFO")) or None,
            image_urls=unique([_image(card.css_first(".s-item__image img"))]),
            seller=fields.get("seller"),
            sold=sold,
            sold_at=sold_at,
            ended_at=ended_at,
            shipping=fields.get("shipping"),
            bids=fields.get("bids"),
            raw=raw,
        )

    @staticmethod
    def _rows(rows: list[str], currency: str, raw: dict[str, object]) -> dict[str, Any]:
        """Bids, shipping, location, buying format and sales count from a card's attribute rows."""
        fields: dict[str, Any] = {}
        extras: list[str] = []
        for text in rows:
            if not text:
                continue
            bids = _BIDS.match(text)
            location = _LOCATION.match(text)
            sold_count = _SOLD_COUNT.match(text)
            if bids:
                fields["bids"] = int(bids.group(1).replace(",", ""))
            elif location:
                fields["location"] = location.group(1)
            elif _SHIPPING.search(text) and "returns" not in text.lower():
                fields["shipping"] = (
                    Money(Decimal(0), currency) if _FREE.search(text) else read_price(text, currency).price
                )
                raw["shipping_text"] = text
            elif sold_count:
                raw["sold_count"] = sold_count.group(1)
            elif text in _FORMATS:
                raw["format"] = text
            elif text not in {"View similar active items", "Sell one like this"}:
                extras.append(text)
        if extras:
            raw["extras"] = extras
        return fields

    @staticmethod
    def _caption(
        node: LexborNode | None, raw: dict[str, object]
    ) -> tuple[bool, datetime | None, datetime | None]:
        """(sold, sold_at, ended_at) from a "Sold  Mar 7, 2026" / "Ended  Jul 20, 2026" caption."""
        text = text_of(node)
        if not text:
            return False, None, None
        label = (node.attributes.get("aria-label") if node is not None else None) or ""
        if text.startswith("Sold") or label == "Sold Item":
            return True, short_date(text), None
        if text.startswith("Ended") or label == "Ended Item":
            return False, None, short_date(text)
        raw["caption"] = text
        return False, None, None

    def parse_listing(self, html: str, url: str, now: datetime) -> ListingDraft:
        """A view-item page: the seller's own price and currency, its approximation, shipping, seller."""
        blocked = wall(html)
        if blocked:
            raise BlockedPage(blocked)
        tree = LexborHTMLParser(html)
        canonical = tree.css_first("link[rel=canonical]")
        page_url = (canonical.attributes.get("href") if canonical else None) or url
        item_id = _item_id(page_url) or _item_id(url)
        number = text_of(tree.css_first(".ux-layout-section__textual-display--itemId"))
        if not item_id and number:
            item_id = number.rsplit(":", 1)[-1].strip()
        title = text_of(tree.css_first("h1.x-item-title__mainTitle"))
        product = self._product(tree)
        title = re.sub(r"\s+-$", "", title) or clean(product.get("name"))  # eBay prints "Title -"
        if not item_id or not title:
            raise Unparseable(f"no eBay item on {url}")
        currency = _site_currency(page_url)
        reading = read_price(text_of(tree.css_first(".x-price-primary")) or None, currency)
        offer = product.get("offers") or {}
        price = reading.price
        if price is None and isinstance(offer, Mapping):
            price = money_or_none(offer.get("price"), str(offer.get("priceCurrency") or currency))
        raw: dict[str, object] = {}
        approx = text_of(tree.css_first(".x-price-approx__price"))
        if approx:
            raw["price_approx"] = str(read_price(approx, currency).price)
        shipping = None
        shipping_text = text_of(tree.css_first(".ux-labels-values--shipping .ux-labels-values__values"))
        if shipping_text:
            raw["shipping_text"] = shipping_text
            free = _FREE.search(shipping_text)
            shipping = Money(Decimal(0), price.currency if price else currency) if free else None
            shipping = shipping or read_price(shipping_text, currency).price
        location = None
        for span in tree.css("span.ux-textspans--SECONDARY"):
            found = _LOCATION.match(text_of(span))
            if found:
                location = found.group(1)
                break
        returns = text_of(tree.css_first(".ux-labels-values--returns .ux-labels-values__values"))
        if returns:
            raw["returns"] = returns
        feedback = text_of(tree.css_first(".x-sellercard-atf__about-seller"))
        if feedback:
            raw["seller_feedback"] = feedback
        bids_text = text_of(tree.css_first(".x-bid-count"))
        bids = _BIDS.match(bids_text)
        raw["format"] = "Auction" if tree.css_first(".x-bid-price") is not None else "Buy It Now"
        images = [
            node.attributes.get("data-zoom-src") or node.attributes.get("src")
            for node in tree.css(".ux-image-carousel-item img")
        ]
        if not any(images):
            ld_images = product.get("image") or []
            images = ld_images if isinstance(ld_images, list) else [ld_images]
        status = text_of(tree.css_first("[class*=statusmessage]")).lower()
        availability = str(offer.get("availability") or "") if isinstance(offer, Mapping) else ""
        sold = "sold" in status or availability.endswith("SoldOut")
        ended = not sold and ("ended" in status or availability.endswith("OutOfStock"))
        return ListingDraft(
            marketplace=self.name,
            external_id=item_id,
            title=title,
            url=f"{BASE}/itm/{item_id}",
            price=price,
            price_note=reading.note if price is not None else "no price",
            currency=price.currency if price else reading.currency,
            location=location,
            condition=text_of(tree.css_first(".x-item-condition-text .ux-textspans")) or None,
            image_urls=unique([i for i in images if i and "thumbs" not in i] or images),
            seller=text_of(tree.css_first(".x-sellercard-atf__info__about-seller a span")) or None,
            sold=sold,
            sold_at=short_date(status) if sold else None,
            # An ended page that gives no date ended no later than now.
            ended_at=(short_date(status) or now) if ended else None,
            shipping=shipping,
            bids=int(bids.group(1).replace(",", "")) if bids else None,
            raw=raw,
        )

    @staticmethod
    def _product(tree: LexborHTMLParser) -> Mapping[str, Any]:
        """The page's schema.org Product (JSON-LD), or {}."""
        for script in tree.css('script[type="application/ld+json"]'):
            try:
                data = json.loads(script.text())
            except ValueError:
                continue
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, Mapping) and item.get("@type") == "Product":
                    return item
        return {}


marketplaces.register("ebay")(Ebay)
