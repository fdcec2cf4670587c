"""Sandbox marketplace pages, marked up like the real sites' saved pages (shared/data/marketplace_pages)
so that dealwatch's own adapters read them unchanged:

- Craigslist: the rendered gallery search (`li.cl-search-result[data-pid]`, `.meta` with time, distance
  and place) and posting pages (`#titletextonly`, `.postinginfos`, `.attrgroup`, `var imgList`);
- Facebook Marketplace: item links whose strings read price, title, place, the Relay JSON feed beside
  them, and item pages (`<h1>` and the `marketplace_product_details_page` JSON);
- OfferUp: the `__NEXT_DATA__` feed (with a display ad tile) plus rendered cards, and item pages (JSON-LD);
- eBay: `li.s-card` results, active or sold/completed ("Sold  Mar 7, 2026" / "Ended ..." captions,
  "Shop on eBay" placeholder first), and view-item pages.

`market_page` routes one request of one marketplace host to its page.
"""

from __future__ import annotations

import json
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from html import escape
from urllib.parse import quote, urlencode

from dealwatch.sandbox.market import CATEGORY_CODES, CONDITION_TEXT, MarketListing, SandboxMarket, SoldComp

ROBOTS_TXT = "User-agent: *\nDisallow: /reply\nDisallow: /account\nAllow: /\n"
_SECTIONS = {codes["craigslist"]: name for name, codes in CATEGORY_CODES.items()}
_FB_CONDITIONS = {
    "new": "NEW",
    "like new": "PC_USED_LIKE_NEW",
    "used": "PC_USED_GOOD",
    "for parts": "PC_USED_FAIR",
}
_SCHEMA_CONDITIONS = {
    "new": "NewCondition",
    "like new": "UsedCondition",
    "used": "UsedCondition",
    "for parts": "DamagedCondition",
}
_STATE = "MA"


@dataclass(frozen=True, slots=True)
class MarketSites:
    """Where each sandbox marketplace and the shared image host answer ("http://127.0.0.x:port")."""

    urls: dict[str, str]
    images: str

    def image(self, image_id: str) -> str:
        """The absolute URL of one photo (cross-posts share it)."""
        return f"{self.images}/img/{image_id}.png"


@dataclass(frozen=True, slots=True)
class MarketResponse:
    """A page: status, media type and body."""

    body: bytes
    media_type: str = "text/html; charset=utf-8"
    status: int = 200


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _script_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _dollars(amount: Decimal) -> str:
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


def _age(posted: datetime, now: datetime) -> str:
    minutes = max(int((now - posted).total_seconds() // 60), 1)
    if minutes < 60:
        return f"{minutes} mins ago"
    if minutes < 24 * 60:
        return f"{minutes // 60}h ago"
    return f"{minutes // (24 * 60)} days ago"


def _js_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def _now(market: SandboxMarket) -> datetime:
    return datetime.combine(market.today, datetime.min.time(), tzinfo=UTC).replace(hour=12)


# ---- Craigslist -------------------------------------------------------------------------------------


def _cl_href(base: str, item: MarketListing) -> str:
    section = CATEGORY_CODES[item.product.category]["craigslist"]
    slug = "-".join(item.title.lower().split()[:5])
    slug = "".join(ch for ch in slug if ch.isalnum() or ch == "-").strip("-") or "item"
    return f"{base}/{section}/d/{quote(slug)}/{item.external_id}.html"


def craigslist_search(
    market: SandboxMarket, sites: MarketSites, found: list[MarketListing], category: str, query: str
) -> str:
    """A Craigslist search page as the JS app renders it (gallery view)."""
    base = sites.urls["craigslist"]
    now = _now(market)
    cards = []
    for item in found:
        href = _cl_href(base, item)
        title = _e(item.title)
        if item.image_ids:
            gallery = (
                f'<div class="cl-gallery"><div class="gallery-inner"><a class="main" href="{_e(href)}">'
                '<div class="swipe"><div class="swipe-wrap"><div data-index="0">'
                '<span class="loading icom-"></span>'
                f'<img alt="{title} 1" src="{_e(sites.image(item.image_ids[0]))}"></div>'
                + "".join(f'<div data-index="{i}"></div>' for i in range(1, len(item.image_ids)))
                + '</div></div><div class="slider-back-arrow icom-"></div>'
                '<div class="slider-forward-arrow icom-"></div></a></div></div>'
            )
        else:
            gallery = (
                '<div class="cl-gallery empty"><div class="gallery-inner">'
                f'<a class="main empty" href="{_e(href)}"><p>no image</p><div class="icom-"></div></a>'
                "</div></div>"
            )
        price = f'<span class="priceinfo">{_dollars(item.price)}</span>' if item.price is not None else ""
        cards.append(
            f'<li data-pid="{item.external_id}" class="cl-search-result cl-search-view-mode-gallery" '
            f'title="{title}"><div class="gallery-card">{gallery}'
            f'<a tabindex="0" href="{_e(href)}" class="cl-app-anchor text-only posting-title">'
            f'<span class="label">{title}</span></a>'
            f'<div class="meta"><span title="{_js_date(item.posted_at)}">{_age(item.posted_at, now)}</span>'
            f'<span class="separator">·</span>{item.distance_mi}mi'
            f'<span class="separator">·</span>{_e(item.place)}</div>{price}'
            '<button type="button" tabindex="0" class="bd-button cl-favorite-button icon-only" '
            'title="add to favorites list"><span class="icon icom-"></span><span class="label"></span>'
            "</button>"
            "</div></li>"
        )
    params = f"?{urlencode({'query': query})}" if query else ""
    heading = f'"{_e(query)}"' if query else ""
    count = len(found)
    pages = f"{min(count, 1)} - {count} of {count}"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>boston {_SECTIONS.get(category, 'for sale')} {heading} - craigslist</title>"
        f'<link rel="canonical" href="{_e(base)}/search/{_e(category)}{_e(params)}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
        '<body class=""><div class="cl-content"><main><div class="cl-search-results-page">'
        '<div class="cl-search-paginator"><button type="button" class="bd-button cl-prev-page icon-only '
        f'bd-disabled"><span class="label">previous page</span></button><span class="cl-page-number">{pages}'
        '</span></div><div class="results cl-results-page"><ol class="cl-search-results">'
        + "".join(cards)
        + "</ol></div></div></main></div></body></html>"
    )


def craigslist_posting(market: SandboxMarket, sites: MarketSites, item: MarketListing) -> str:
    """A Craigslist posting page."""
    url = _cl_href(sites.urls["craigslist"], item)
    images = [
        {"imgid": f"3:{image_id}", "url": sites.image(image_id), "thumb": sites.image(image_id)}
        for image_id in item.image_ids
    ]
    price = f'<span class="price">{_dollars(item.price)}</span>' if item.price is not None else ""
    attrs = f"<span>condition: <b>{_e(item.condition_text)}</b></span>" if item.condition_text else ""
    attrs += f"<span>make / manufacturer: <b>{_e(item.product.brand)}</b></span>"
    posted = item.posted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")
    og = (
        f'<meta property="og:image" content="{_e(sites.image(item.image_ids[0]))}">' if item.image_ids else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="UTF-8">'
        f"<title>{_e(item.title)} - for sale - craigslist</title>"
        f'<link rel="canonical" href="{_e(url)}">{og}</head><body class="posting">'
        '<section class="page-container"><section class="body"><h1 class="postingtitle">'
        '<span class="postingtitletext"><span id="titletextonly">'
        f"{_e(item.title)}</span>{price}<span> ({_e(item.place)})</span></span></h1>"
        '<section class="userbody"><div class="mapAndAttrs">'
        '<div id="map" class="viewposting" data-latitude="42.3601" data-longitude="-71.0589" '
        'data-accuracy="10"></div>'
        f'<div class="attrgroup">{attrs}</div></div>'
        '<section id="postingbody"><div class="print-information print-qrcode-container">'
        '<p class="print-qrcode-label">QR Code Link to This Post</p></div>'
        f"{_e(item.description)}</section>"
        '<div class="postinginfos">'
        f'<p class="postinginfo">post id: {item.external_id}</p>'
        f'<p class="postinginfo reveal">posted: <time class="date timeago" datetime="{posted}">'
        f"{item.posted_at:%Y-%m-%d %H:%M}</time></p></div></section></section></section>"
        f"<script>var imgList = {_script_json(images)};</script></body></html>"
    )


# ---- Facebook Marketplace ---------------------------------------------------------------------------


def _fb_listing(sites: MarketSites, item: MarketListing) -> dict[str, object]:
    assert item.price is not None
    photo = {"image": {"uri": sites.image(item.image_ids[0])}} if item.image_ids else None
    return {
        "__typename": "GroupCommerceProductItem",
        "id": item.external_id,
        "primary_listing_photo": photo,
        "listing_price": {"formatted_amount": _dollars(item.price), "amount": f"{item.price:.2f}"},
        "location": {"reverse_geocode": {"city": item.place, "state": _STATE}},
        "is_hidden": False,
        "is_live": True,
        "is_pending": False,
        "is_sold": False,
        "marketplace_listing_title": item.title,
        "marketplace_listing_seller": {"__typename": "User", "name": item.seller, "id": _seller_id(item)},
        "delivery_types": ["IN_PERSON"],
    }


def _seller_id(item: MarketListing) -> str:
    return str(100_000_000_000_000 + sum(map(ord, item.seller)) * 7919)


def facebook_search(sites: MarketSites, found: list[MarketListing], heading: str) -> str:
    """A Facebook Marketplace search or category feed: item links, and the Relay JSON of the first batch."""
    cards = []
    for item in found:
        assert item.price is not None
        image = (
            f'<img alt="{_e(item.title)} in {_e(item.place)}, {_STATE}" class="xt7dq6l xl1xv1r" '
            f'referrerpolicy="origin-when-cross-origin" src="{_e(sites.image(item.image_ids[0]))}">'
            if item.image_ids
            else ""
        )
        cards.append(
            '<div class="x9f619 x78zum5 x1r8uery"><div class="x3ct3a4">'
            f'<a class="x1i10hfl xjbqb8w x1ejq31n" href="/marketplace/item/{item.external_id}/?ref=search'
            '&amp;referral_code=null&amp;referral_story_type=post" role="link" tabindex="0">'
            f'<div class="x1n2onr6">{image}</div><div class="x9f619 x78zum5 xdt5ytf">'
            f'<div class="x1gslohp"><span dir="auto">{_dollars(item.price)}</span></div>'
            '<div class="x1gslohp"><span aria-hidden="true"><span dir="auto"><span class="x1lliihq">'
            f"{_e(item.title)}</span></span></span></div>"
            '<div class="x1gslohp"><span aria-hidden="true"><span dir="auto"><span class="x1lliihq">'
            f"{_e(item.place)}, {_STATE}</span></span></span></div></div></a></div></div>"
        )
    # The embedded feed holds only the first batch, as on the real site.
    edges = [{"node": {"__typename": "MarketplaceFeedListingStoryObject", "listing": _fb_listing(sites, i)}}
             for i in found[:14]]  # fmt: skip
    relay = {
        "require": [
            [
                "ScheduledServerJS",
                "handle",
                None,
                [{"__bbox": {"result": {"data": {"marketplace_search": {"feed_units": {"edges": edges}}}}}}],
            ]
        ]
    }
    return (
        '<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8">'
        f"<title>Marketplace – {_e(heading)} | Facebook</title></head><body>"
        '<div id="mount_0_0_x"><div role="main"><div class="x8gbvx8 x78zum5 x1q0g3np x1a02dak">'
        + "".join(cards)
        + "</div></div></div>"
        f'<script type="application/json" data-sjs="">{_script_json(relay)}</script></body></html>'
    )


def facebook_item(market: SandboxMarket, sites: MarketSites, item: MarketListing) -> str:
    """A Facebook Marketplace item page: the visible strings after the `<h1>` and the item's Relay JSON."""
    assert item.price is not None
    details: dict[str, object] = {
        **_fb_listing(sites, item),
        "creation_time": int(item.posted_at.timestamp()),
        "redacted_description": {"text": item.description},
        "location_text": {"text": f"{item.place}, {_STATE}"},
        "listing_photos": [{"image": {"uri": sites.image(i)}, "id": i} for i in item.image_ids],
    }
    if item.condition_shown:
        details["condition"] = _FB_CONDITIONS[item.condition]
    relay = {"require": [["ScheduledServerJS", "handle", None, [
        {"__bbox": {"result": {"data": {"viewer": {"marketplace_product_details_page": {"target": details}}}}}}  # noqa: E501
    ]]]}  # fmt: skip
    condition = (
        f"<div><span>Condition</span></div><div><span>{_e(item.condition_text)}</span></div>"
        if item.condition_text
        else ""
    )
    og = (
        f'<meta property="og:image" content="{_e(sites.image(item.image_ids[0]))}">' if item.image_ids else ""
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Marketplace – {_e(item.title)} | Facebook</title>"
        f'<meta property="og:url" content="https://www.facebook.com/marketplace/item/{item.external_id}/">'
        f'{og}</head><body><div role="main"><div><h1><span dir="auto">{_e(item.title)}</span></h1></div>'
        f'<div><span dir="auto">{_dollars(item.price)}</span></div>'
        f"<div><span>Listed {_age(item.posted_at, _now(market))} in </span>"
        f"<span>{_e(item.place)}, {_STATE}</span></div>"
        f"<div><span>Details</span></div>{condition}<div><span>{_e(item.description)}</span></div>"
        f"<div><span>Seller details</span></div><div><span>{_e(item.seller)}</span></div></div>"
        f'<script type="application/json" data-sjs="">{_script_json(relay)}</script></body></html>'
    )


# ---- OfferUp ----------------------------------------------------------------------------------------


def _ou_price(amount: Decimal) -> str:
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


def offerup_search(sites: MarketSites, found: list[MarketListing], page: str, title: str) -> str:
    """An OfferUp search or explore page: the `__NEXT_DATA__` feed and the cards drawn from it."""
    tiles: list[dict[str, object]] = [
        {
            "__typename": "ModularFeedTileGoogleDisplayAd",
            "tileId": "ad-0",
            "googleDisplayAd": {"__typename": "ModularFeedGoogleDisplayAd", "adNetwork": "google"},
        }
    ]
    cards = []
    for number, item in enumerate(found):
        assert item.price is not None
        image = {"__typename": "ModularFeedImage", "url": sites.image(item.image_ids[0]), "width": 250,
                 "height": 250} if item.image_ids else None  # fmt: skip
        tiles.append(
            {
                "__typename": "ModularFeedTileListing",
                "tileId": f"tile-{number}",
                "listing": {
                    "__typename": "ModularFeedListing",
                    "listingId": item.external_id,
                    "conditionText": item.condition_text,
                    "flags": ["LOCAL_PICKUP"],
                    "image": image,
                    "isFirmPrice": None,
                    "locationName": f"{item.place}, {_STATE}",
                    "price": _ou_price(item.price),
                    "title": item.title,
                    "vehicleMiles": None,
                },
                "tileType": "LISTING",
            }
        )
        img = (
            f'<img src="{_e(sites.image(item.image_ids[0]))}" alt="{_e(item.title)}">'
            if item.image_ids
            else ""
        )
        label = f"{item.title} {_dollars(item.price)} in {item.place}, {_STATE} "
        cards.append(
            f'<li class="jss379"><a title="{_e(item.title)}" class="jss249 jss250" '
            f'href="/item/detail/{item.external_id}" aria-label="{_e(label)}" tabindex="0">'
            f'<span class="jss369">{img}</span><span class="jss376"><span class="MuiTypography-root">'
            f'{_e(item.title)}</span><span class="jss378"><span class="MuiTypography-root">'
            f"{_dollars(item.price)}"
            "</span></span></span></a></li>"
        )
    next_data = {
        "props": {
            "pageProps": {"searchFeedResponse": {"looseTiles": tiles, "modules": [], "nextPageCursor": None}}
        },
        "page": page,
        "query": {},
        "buildId": "sandbox",
    }
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta property="og:site_name" content="OfferUp"><title>{_e(title)} - OfferUp</title></head>'
        '<body><div id="__next"><main><ul class="jss360">' + "".join(cards) + "</ul></main></div>"
        f'<script id="__NEXT_DATA__" type="application/json">{_script_json(next_data)}</script></body></html>'
    )


def offerup_item(sites: MarketSites, item: MarketListing) -> str:
    """An OfferUp item page, described by its schema.org Product."""
    assert item.price is not None
    url = f"https://offerup.com/item/detail/{item.external_id}"
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": item.title,
        "description": item.description,
        "image": [sites.image(i) for i in item.image_ids],
        "url": url,
        "datePosted": item.posted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z"),
        "offers": {
            "@type": "Offer",
            "price": _ou_price(item.price),
            "priceCurrency": "USD",
            "itemCondition": f"https://schema.org/{_SCHEMA_CONDITIONS[item.condition]}",
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "Person", "name": item.seller},
            "availableAtOrFrom": {
                "@type": "Place",
                "address": {"addressLocality": item.place, "addressRegion": _STATE},
            },
        },
    }
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(item.title)} - OfferUp</title>"
        f'<meta property="og:title" content="{_e(item.title)}">'
        f'<script type="application/ld+json">{_script_json(product)}</script></head>'
        f'<body><div id="__next"><main><h1>{_e(item.title)}</h1><p>{_dollars(item.price)}</p>'
        f"<p>{_e(item.description)}</p></main></div></body></html>"
    )


# ---- eBay -------------------------------------------------------------------------------------------


def _ebay_user(seller: str) -> str:
    return "".join(ch for ch in seller.lower() if ch.isalnum()) + "_deals"


def _row(text: str) -> str:
    return (
        f'<div class="s-card__attribute-row"><span class="su-styled-text secondary large">{text}</span></div>'
    )


def _s_card(
    base: str,
    item_id: str,
    title: str,
    price: Decimal,
    condition: str,
    image: str | None,
    shipping: Decimal,
    seller: str,
    caption: str | None,
) -> str:
    href = f"{base}/itm/{item_id}?itmmeta=sandbox&amp;_skw=sandbox"
    img = f'<img class="s-card__image" src="{_e(image)}" alt="{_e(title)}" loading="lazy">' if image else ""
    delivery = "Free delivery" if shipping == 0 else f"+${shipping:,.2f} delivery"
    return (
        f'<li class="s-card s-card--horizontal" data-listingid="{item_id}" '
        f'id="item{int(item_id) % 16**10:x}">'
        '<div class="su-card-container su-card-container--horizontal"><div class="su-card-container__media">'
        f'<div class="su-image"><a class="s-card__link image-treatment" href="{href}">{img}</a></div></div>'
        '<div class="su-card-container__content"><div class="su-card-container__header">'
        + (caption or "")
        + f'<a class="s-card__link" href="{href}"><div role="heading" aria-level="3" class="s-card__title">'
        f'<span class="su-styled-text primary default">{_e(title)}</span>'
        '<span class="clipped">Opens in a new window or tab</span></div></a>'
        '<div class="s-card__subtitle-row"><div class="s-card__subtitle">'
        f'<span class="su-styled-text secondary default">{_e(condition)}</span></div></div></div>'
        '<div class="su-card-container__attributes su-card-container__attributes--has-secondary">'
        '<div class="su-card-container__attributes__primary"><div class="s-card__attribute-row">'
        f'<span class="su-styled-text positive bold large-1 s-card__price">${price:,.2f}</span></div>'
        f"{_row('Buy It Now')}{_row(delivery)}"
        '<div class="s-card__attribute-row"><span class="su-styled-text secondary large">'
        "Located in United States</span></div></div>"
        '<div class="su-card-container__attributes__secondary"><div class="s-card__attribute-row">'
        f'<span class="su-styled-text primary large">{_e(seller)} </span>'
        '<span class="su-styled-text primary large">99.2% positive (412)</span></div></div></div>'
        "</div></div></li>"
    )


_PLACEHOLDER = (
    '<li class="s-card s-card--horizontal" data-viewport="{}" id><div class="su-card-container">'
    '<a class="s-card__link" href="https://ebay.com/itm/123456?itmmeta=0"><div role="heading" aria-level="3" '
    'class="s-card__title"><span class="su-styled-text primary default">Shop on eBay</span></div></a>'
    '<div class="s-card__subtitle"><span class="su-styled-text secondary default">Brand New</span></div>'
    '<span class="su-styled-text primary bold large-1 s-card__price">$20.00</span></div></li>'
)


def _ebay_page(base: str, cards: list[str], count: int, query: str, title: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)} | eBay</title>"
        f'<link rel="canonical" href="{_e(base)}/sch/i.html?{_e(urlencode({"_nkw": query}))}"></head><body>'
        '<div class="srp-controls__control srp-controls__count"><h1 class="srp-controls__count-heading">'
        f'<span class="BOLD">{count:,}</span> results for <span class="BOLD">{_e(query)}</span></h1></div>'
        '<div id="srp-river-results"><ul class="srp-results srp-list clearfix">'
        + _PLACEHOLDER
        + "".join(cards)
        + "</ul></div></body></html>"
    )


def ebay_search(sites: MarketSites, found: list[MarketListing], query: str) -> str:
    """An eBay active search results page (s-card markup)."""
    base = sites.urls["ebay"]
    cards = []
    for item in found:
        assert item.price is not None
        cards.append(
            _s_card(
                base,
                item.external_id,
                item.title,
                item.price,
                item.condition_text or "Pre-Owned",
                sites.image(item.image_ids[0]) if item.image_ids else None,
                item.product.shipping,
                _ebay_user(item.seller),
                None,
            )
        )
    return _ebay_page(base, cards, len(found), query, f"{query or 'Search'} for sale")


def ebay_sold(sites: MarketSites, found: list[SoldComp], query: str) -> str:
    """An eBay sold/completed search page: "Sold" and "Ended" captions with their dates."""
    base = sites.urls["ebay"]
    cards = []
    for comp in found:
        label, word = ("Sold Item", "Sold") if comp.sold else ("Ended Item", "Ended")
        tone = "positive" if comp.sold else "secondary"
        when = f"{comp.ended_at:%b} {comp.ended_at.day}, {comp.ended_at.year}"
        caption = (
            f'<div class="s-card__caption"><span class="su-styled-text {tone} default" aria-label="{label}">'
            f"{word}  {when}</span></div>"
        )
        cards.append(
            _s_card(
                base,
                comp.item_id,
                comp.title,
                comp.price,
                CONDITION_TEXT["ebay"][comp.condition],
                sites.image(comp.image_id),
                comp.shipping,
                f"seller{int(comp.item_id) % 997}",
                caption,
            )
        )
    return _ebay_page(base, cards, len(found), query, f"{query} sold listings")


def ebay_item(sites: MarketSites, item: MarketListing) -> str:
    """An eBay view-item page of an active listing."""
    assert item.price is not None
    url = f"{sites.urls['ebay']}/itm/{item.external_id}"
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": item.title,
        "image": [sites.image(i) for i in item.image_ids],
        "offers": {
            "@type": "Offer",
            "price": f"{item.price:.2f}",
            "priceCurrency": "USD",
            "availability": "https://schema.org/InStock",
            "itemCondition": f"https://schema.org/{_SCHEMA_CONDITIONS[item.condition]}",
        },
    }
    images = "".join(
        f'<div class="ux-image-carousel-item"><img src="{_e(sites.image(i))}" '
        f'data-zoom-src="{_e(sites.image(i))}"></div>'
        for i in item.image_ids
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{_e(item.title)} | eBay</title><link rel="canonical" href="{_e(url)}">'
        f'<script type="application/ld+json">{_script_json(product)}</script></head><body>'
        f'<h1 class="x-item-title__mainTitle"><span class="ux-textspans ux-textspans--BOLD">{_e(item.title)}'
        "</span></h1>"
        f'<div class="x-price-primary"><span class="ux-textspans">US ${item.price:,.2f}</span></div>'
        '<div class="x-item-condition-text"><span class="ux-textspans">'
        f"{_e(item.condition_text or 'Pre-Owned')}</span></div>"
        '<div class="ux-labels-values--shipping"><div class="ux-labels-values__values">'
        f'<span class="ux-textspans">US ${item.product.shipping:,.2f} Standard Shipping</span></div></div>'
        '<span class="ux-textspans ux-textspans--SECONDARY">Located in: '
        f"{_e(item.place)}, Massachusetts, United States</span>"
        '<div class="x-sellercard-atf__info__about-seller"><a href="#"><span class="ux-textspans">'
        f"{_e(_ebay_user(item.seller))}</span></a></div>"
        f'<div class="ux-image-carousel">{images}</div></body></html>'
    )


# ---- images -----------------------------------------------------------------------------------------


def photo_png(image_id: str, size: int = 64, block: int = 8) -> bytes:
    """A small PNG of coloured blocks drawn from the image id: the same id gives the same bytes, and two
    ids give pictures as unlike as two different photos (their difference hashes far apart)."""
    rng = random.Random(image_id)
    cells = size // block
    colours = [[bytes(rng.randrange(256) for _ in range(3)) for _ in range(cells)] for _ in range(cells)]
    rows = [b"\x00" + b"".join(colours[y // block][x // block] for x in range(size)) for y in range(size)]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    body = zlib.compress(b"".join(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


# ---- routing ----------------------------------------------------------------------------------------


def _price(raw: str | None) -> Decimal | None:
    try:
        return Decimal(raw) if raw else None
    except ArithmeticError:
        return None


# Each site's standing header and footer: real pages carry plenty of text around the listings (without
# it a page reads as a JavaScript shell to the fetcher).
_CHROME = {
    "craigslist": (
        '<header class="cl-header"><a href="/">CL</a> <span>boston</span> <a href="#">post</a> '
        '<a href="#">account</a> <a href="#">favorites</a></header>',
        '<footer class="cl-footer"><ul><li>© 2025 craigslist</li>'
        + "".join(
            f'<li><a href="#">{link}</a></li>'
            for link in (
                "help",
                "safety",
                "privacy",
                "feedback",
                "terms",
                "about",
                "craigslist app",
                "sitemap",
            )
        )
        + "</ul><p>Avoid scams: deal locally, never wire money, never pay with gift cards. Beware of fake "
        "escrow and shipping offers.</p></footer>",
    ),
    "facebook": (
        '<div role="navigation"><span>Marketplace</span><span>Browse all</span><span>Notifications</span>'
        "<span>Inbox</span><span>Marketplace access</span><span>Buying</span><span>Selling</span>"
        "<span>Create new listing</span><span>Location: Boston, Massachusetts, within 40 mi</span></div>",
        '<div role="contentinfo"><span>Privacy, Terms, Advertising, Ad choices, Cookies, More, Meta 2025'
        "</span><span>Categories: Vehicles, Property rentals, Apparel, Classifieds, Electronics, "
        "Entertainment, Family, Free stuff, Garden &amp; outdoor, Hobbies, Home goods, Home improvement "
        "supplies, Musical instruments, Office supplies, Pet supplies, Sporting goods, Toys &amp; games"
        "</span></div>",
    ),
    "offerup": (
        '<header><a href="/">OfferUp</a><span>Post an item</span><span>Log in</span><span>Sign up</span>'
        "<span>Boston, MA</span></header>",
        "<footer><p>Buy and sell locally or ship nationwide. Meet in a public place, check the item before "
        "paying, and use OfferUp's secure payments.</p><p>About, Careers, Press, Help center, Community "
        "guidelines, Safety tips, Terms of service, Privacy. 2025 OfferUp Inc.</p></footer>",
    ),
    "ebay": (
        '<header class="gh-header"><span>Hi! Sign in or register</span><span>Daily Deals</span><span>Brand '
        "Outlet</span><span>Gift Cards</span><span>Help &amp; Contact</span><span>Sell</span><span>Watchlist"
        "</span><span>My eBay</span></header>",
        '<footer id="glbfooter"><p>About eBay, Announcements, Community, Security Center, Seller Center, '
        "Policies, Affiliates, Help &amp; Contact, Site Map</p><p>Copyright 1995-2025 eBay Inc. All Rights "
        "Reserved. Accessibility, User Agreement, Privacy, Payments Terms of Use, Cookies</p></footer>",
    ),
}


def _html(site: str, text: str) -> MarketResponse:
    header, footer = _CHROME[site]
    opened = text.index(">", text.index("<body")) + 1
    closed = text.rindex("<script") if site in ("facebook", "offerup") else text.rindex("</body>")
    return MarketResponse(f"{text[:opened]}{header}{text[opened:closed]}{footer}{text[closed:]}".encode())


def market_page(
    market: SandboxMarket, sites: MarketSites, site: str, path: str, params: dict[str, str]
) -> MarketResponse | None:
    """The response of marketplace `site` (or "images") at `path` with query `params`; None: no such page."""
    if path == "/robots.txt":
        return MarketResponse(ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
    parts = [p for p in path.split("/") if p]
    if site == "images":
        if len(parts) == 2 and parts[0] == "img" and parts[1].endswith(".png"):
            return MarketResponse(photo_png(parts[1].removesuffix(".png")), "image/png")
        return None
    if site == "craigslist":
        return _craigslist(market, sites, parts, params)
    if site == "facebook":
        return _facebook(market, sites, parts, params)
    if site == "offerup":
        return _offerup(market, sites, parts, params)
    if site == "ebay":
        return _ebay(market, sites, parts, params)
    return None


def _craigslist(
    market: SandboxMarket, sites: MarketSites, parts: list[str], params: dict[str, str]
) -> MarketResponse | None:
    if len(parts) == 2 and parts[0] == "search":
        query = params.get("query", "")
        found = market.search(
            "craigslist", query, parts[1], _price(params.get("min_price")), _price(params.get("max_price"))
        )
        return _html("craigslist", craigslist_search(market, sites, found, parts[1], query))
    if len(parts) == 4 and parts[1] == "d" and parts[3].endswith(".html"):
        item = market.listing("craigslist", parts[3].removesuffix(".html"))
        return _html("craigslist", craigslist_posting(market, sites, item)) if item else None
    return None


def _facebook(
    market: SandboxMarket, sites: MarketSites, parts: list[str], params: dict[str, str]
) -> MarketResponse | None:
    if parts[:1] != ["marketplace"] or len(parts) < 2:
        return None
    if parts[1] == "item" and len(parts) == 3:
        item = market.listing("facebook", parts[2])
        return _html("facebook", facebook_item(market, sites, item)) if item else None
    low, high = _price(params.get("minPrice")), _price(params.get("maxPrice"))
    if parts[-1] == "search":
        query = params.get("query", "")
        return _html(
            "facebook", facebook_search(sites, market.search("facebook", query, None, low, high), query)
        )
    if len(parts) == 3:  # /marketplace/<place>/<category> or /marketplace/category/<category>
        found = market.search("facebook", "", parts[2], low, high)
        return _html("facebook", facebook_search(sites, found, parts[2].replace("-", " ").title()))
    return None


def _offerup(
    market: SandboxMarket, sites: MarketSites, parts: list[str], params: dict[str, str]
) -> MarketResponse | None:
    low, high = _price(params.get("PRICE_MIN")), _price(params.get("PRICE_MAX"))
    if parts == ["search"]:
        query = params.get("q", "")
        found = market.search("offerup", query, None, low, high)
        return _html("offerup", offerup_search(sites, found, "/search", query))
    if len(parts) == 3 and parts[:2] == ["explore", "k"]:
        found = market.search("offerup", "", parts[2], low, high)
        return _html(
            "offerup", offerup_search(sites, found, "/explore/k/[...cid]", parts[2].replace("-", " ").title())
        )
    if len(parts) == 3 and parts[:2] == ["item", "detail"]:
        item = market.listing("offerup", parts[2])
        return _html("offerup", offerup_item(sites, item)) if item else None
    return None


def _ebay(
    market: SandboxMarket, sites: MarketSites, parts: list[str], params: dict[str, str]
) -> MarketResponse | None:
    if parts == ["sch", "i.html"]:
        query = params.get("_nkw", "")
        if params.get("LH_Sold") == "1" or params.get("LH_Complete") == "1":
            return _html("ebay", ebay_sold(sites, market.sold_search(query), query))
        found = market.search(
            "ebay", query, params.get("_sacat"), _price(params.get("_udlo")), _price(params.get("_udhi"))
        )
        return _html("ebay", ebay_search(sites, found, query))
    if len(parts) == 2 and parts[0] == "itm":
        item = market.listing("ebay", parts[1])
        return _html("ebay", ebay_item(sites, item)) if item else None
    return None
