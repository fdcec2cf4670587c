"""Craigslist: search URLs, the four kinds of search markup, and posting pages.

Search pages come as static no-JS markup (`li.cl-static-search-result`, what a plain HTTP client
gets), as the JS app's rendered DOM in gallery (`li.cl-search-result`) or thumb view
(`div.cl-search-result`), or as the legacy server-rendered `li.result-row`. The JSON-LD ItemList on
rendered pages is not in card order, so it is never zipped with the cards.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dealwatch.core.errors import InvalidInput
from dealwatch.flip.listing import BlockedPage, ListingDraft, SearchPage, Unparseable
from dealwatch.flip.marketplaces.base import SearchQuery, marketplaces
from dealwatch.flip.marketplaces.cards import (
    NotAListing,
    clean,
    distance_km,
    node_html,
    read_cards,
    text_of,
    unique,
    wall,
)
from dealwatch.flip.prices import read_price
from dealwatch.flip.times import from_iso, js_date, local_to_utc, shown_time

_CARDS = "li.cl-static-search-result, li.cl-search-result, div.cl-search-result, li.result-row, h4.ban.nearby"
_POSTING_ID = re.compile(r"/(\d{6,})\.html")
_PAGE_RANGE = re.compile(r"(\d[\d,]*)\s*-\s*(\d[\d,]*)\s+of\s+(>?)\s*(\d[\d,]*)")
_IMAGE_ID = re.compile(r"([0-9A-Za-z]{5}_[0-9A-Za-z]+_[0-9A-Za-z]+)_(\d+x\d+c?)\.jpg")
_IMG_LIST = re.compile(r"var\s+imgList\s*=\s*(\[.*?\]);", re.DOTALL)
# On gigs and jobs the text after a card's time is the pay, not a place.
_GIG_AND_JOB_CATEGORIES = frozenset(
    """ggg cpg crg cwg dmg evg lbg tlg wrg jjj acc ofc egr med sci bus csr edu fbh lab tfr hum eng lgl mnu
    mar hea npo rej ret sls spa sec trd sof sad tch trp tvf web wri etc gov""".split()  # noqa: SIM905
)
# Craigslist prints naive local times; these are the sites' zones. A site not listed gets no posted_at
# from a naive time and keeps the text in raw["posted_local"].
_ZONE_TABLE = """
America/New_York: boston newyork longisland newjersey jerseyshore philadelphia washingtondc baltimore
America/New_York: pittsburgh harrisburg allentown atlanta miami orlando tampa jacksonville fortmyers
America/New_York: sarasota tallahassee gainesville daytona spacecoast charlotte raleigh greensboro
America/New_York: asheville wilmington richmond norfolk charlottesville cleveland columbus cincinnati
America/New_York: dayton toledo akroncanton detroit grandrapids lansing annarbor buffalo rochester
America/New_York: syracuse albany hudsonvalley hartford newhaven providence nh maine vermont westernmass
America/New_York: worcester capecod southcoast greenville charleston columbiasc savannah knoxville
America/New_York: louisville lexington delaware toronto ottawa montreal
America/Indiana/Indianapolis: indianapolis
America/Chicago: chicago houston dallas austin sanantonio minneapolis stlouis kansascity milwaukee madison
America/Chicago: nashville memphis chattanooga neworleans batonrouge oklahomacity tulsa omaha lincoln
America/Chicago: desmoines littlerock birmingham huntsville mobile jackson wichita corpuschristi mcallen
America/Chicago: fortworth winnipeg
America/Denver: denver cosprings fortcollins saltlakecity provo ogden albuquerque santafe boise elpaso
America/Denver: billings missoula calgary edmonton
America/Phoenix: phoenix tucson flagstaff prescott yuma
America/Los_Angeles: sfbay losangeles sandiego orangecounty inlandempire sacramento fresno stockton modesto
America/Los_Angeles: santabarbara ventura bakersfield monterey slo chico redding humboldt palmsprings
America/Los_Angeles: lasvegas reno seattle portland spokane eugene salem medford bend bellingham olympic
America/Los_Angeles: tacoma yakima
America/Vancouver: vancouver
America/Anchorage: anchorage
Pacific/Honolulu: honolulu
Europe/London: london
"""
SITE_ZONES: dict[str, str] = {
    site: zone
    for zone, _, sites in (line.partition(": ") for line in _ZONE_TABLE.strip().splitlines())
    for site in sites.split()
}


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.split(".")[0] if host.endswith("craigslist.org") else ""


def _category(url: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[-1] if len(parts) >= 2 and parts[0] == "search" else ""


def _posting_id(href: str) -> str:
    match = _POSTING_ID.search(href)
    if not match:
        raise Unparseable(f"no posting id in {href!r}")
    return match.group(1)


def _image_url(src: str | None, base: str) -> str | None:
    """An image's canonical URL; Craigslist image ids are rebuilt on images.craigslist.org."""
    if not src or src.endswith("empty.png"):
        return None
    match = _IMAGE_ID.search(src)
    if match:
        return f"https://images.craigslist.org/{match.group(1)}_{match.group(2)}.jpg"
    return urljoin(base, src)


def _with_offset(url: str, offset: int) -> str:
    parts = urlsplit(url)
    query = [kv for kv in parts.query.split("&") if kv and not kv.startswith("s=")]
    query.append(f"s={offset}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(query), ""))


class Craigslist:
    """Craigslist search and posting pages."""

    name = "craigslist"
    fetch_tier = "http"

    def search_url(self, search: SearchQuery) -> str:
        """`https://<site>.craigslist.org/search/<category>?query=...&min_price=...`."""
        if not search.location:
            raise InvalidInput("a Craigslist search needs a location: the site, e.g. 'boston'")
        site = search.location
        params: dict[str, str | int] = {}
        if search.text.strip():
            params["query"] = search.text.strip()
        if search.min_price is not None:
            params["min_price"] = str(search.min_price)
        if search.max_price is not None:
            params["max_price"] = str(search.max_price)
        if search.postal_code:
            params["postal"] = search.postal_code
        if search.radius_mi is not None:
            params["search_distance"] = search.radius_mi
        query = f"?{urlencode(params)}" if params else ""
        return f"https://{site}.craigslist.org/search/{search.category or 'sss'}{query}"

    def parse_search(self, html_or_json: str, url: str, now: datetime) -> SearchPage:
        """Listings from any of Craigslist's search markups, with the page count and next page."""
        blocked = wall(html_or_json)
        if blocked:
            return SearchPage(self.name, url, blocked=blocked)
        tree = LexborHTMLParser(html_or_json)
        canonical = tree.css_first("link[rel=canonical]")
        page_url = url or (canonical.attributes.get("href") if canonical else "") or ""
        places_are_pay = _category(page_url) in _GIG_AND_JOB_CATEGORIES
        nearby = False

        def read(card: LexborNode) -> ListingDraft:
            nonlocal nearby
            classes = card.attributes.get("class") or ""
            if card.tag == "h4":
                nearby = True
                raise NotAListing("banner")
            if "cl-static-search-result" in classes:
                return self._static_card(card, page_url)
            if "result-row" in classes:
                return self._result_row(card, page_url, nearby)
            return self._rendered_card(card, page_url, now, places_are_pay)

        listings, failures, skipped = read_cards(tree.css(_CARDS), read, node_html)
        skipped.pop("banner", None)
        total, next_url = self._pagination(tree, page_url)
        return SearchPage(self.name, url, listings, failures, skipped, total=total, next_url=next_url)

    def _static_card(self, card: LexborNode, page_url: str) -> ListingDraft:
        link = card.css_first("a")
        href = urljoin(page_url, (link.attributes.get("href") if link else None) or "")
        title = clean(card.attributes.get("title")) or text_of(card.css_first(".title"))
        price_node = card.css_first(".price")
        reading = read_price(text_of(price_node) if price_node else None)
        return ListingDraft(
            marketplace=self.name,
            external_id=_posting_id(href),
            title=title,
            url=href,
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=text_of(card.css_first(".location")) or None,
        )

    def _rendered_card(
        self, card: LexborNode, page_url: str, now: datetime, places_are_pay: bool
    ) -> ListingDraft:
        link = card.css_first("a.posting-title") or card.css_first("a[href]")
        href = urljoin(page_url, (link.attributes.get("href") if link else None) or "")
        pid = card.attributes.get("data-pid") or _posting_id(href)
        title = clean(card.attributes.get("title")) or text_of(card.css_first(".posting-title .label"))
        price_node = card.css_first(".priceinfo")
        reading = read_price(text_of(price_node) if price_node else None)
        posted_at, place, distance, shown = self._meta(card.css_first(".meta"), now)
        raw: dict[str, object] = {"shown_time": shown} if shown else {}
        if places_are_pay and place:
            raw["compensation"] = place
            place = None
        images = [_image_url(img.attributes.get("src"), page_url) for img in card.css("img")]
        return ListingDraft(
            marketplace=self.name,
            external_id=pid,
            title=title,
            url=href,
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=place,
            distance_km=distance,
            image_urls=unique(images),
            posted_at=posted_at,
            raw=raw,
        )

    @staticmethod
    def _meta(
        meta: LexborNode | None, now: datetime
    ) -> tuple[datetime | None, str | None, Decimal | None, str | None]:
        """Time, place and distance from a rendered card's `.meta` ("12 mins ago · 1.2mi · Peabody")."""
        if meta is None:
            return None, None, None, None
        segments: list[str] = []
        stamp: datetime | None = None
        current = ""
        for child in meta.iter(include_text=True):
            if child.is_element_node and "separator" in (child.attributes.get("class") or ""):
                segments.append(current)
                current = ""
            elif child.tag == "button":
                continue
            else:
                if child.is_element_node and child.attributes.get("title") and not segments:
                    stamp = js_date(child.attributes.get("title") or "")
                current += " " + (child.text() or "")
        segments.append(current)
        parts = [clean(s) for s in segments if clean(s)]
        if not parts:
            return None, None, None, None
        shown = parts[0]
        posted_at = stamp or shown_time(shown, now)
        rest = parts[1:] if posted_at is not None else parts
        distance = None
        places = []
        for part in rest:
            km = distance_km(part)
            if km is not None:
                distance = km
            else:
                places.append(part)
        return posted_at, " · ".join(places) or None, distance, shown

    def _result_row(self, card: LexborNode, page_url: str, nearby: bool) -> ListingDraft:
        link = card.css_first("a.result-title") or card.css_first("a[href]")
        href = urljoin(page_url, (link.attributes.get("href") if link else None) or "")
        pid = card.attributes.get("data-pid") or _posting_id(href)
        price_node = card.css_first(".result-price")
        reading = read_price(text_of(price_node) if price_node else None)
        hood = text_of(card.css_first(".result-hood")).strip("() ")
        nearby_node = card.css_first(".nearby")
        if not hood and nearby_node is not None:
            hood = nearby_node.attributes.get("title") or text_of(nearby_node).strip("()")
        raw: dict[str, object] = {"nearby": nearby}
        time_node = card.css_first("time.result-date")
        local = time_node.attributes.get("datetime") if time_node else None
        posted_at = None
        if local:
            posted_at = local_to_utc(local, SITE_ZONES.get(_site(href) or _site(page_url)))
            raw["posted_local"] = local
        if card.attributes.get("data-repost-of"):
            raw["repost_of"] = card.attributes.get("data-repost-of")
        images = [_image_url(img.attributes.get("src"), page_url) for img in card.css("img")]
        return ListingDraft(
            marketplace=self.name,
            external_id=pid,
            title=text_of(link),
            url=href,
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=hood or None,
            image_urls=unique(images),
            posted_at=posted_at,
            raw=raw,
        )

    @staticmethod
    def _pagination(tree: LexborHTMLParser, page_url: str) -> tuple[int | None, str | None]:
        """Total results and the next page's URL, from "1 - 120 of >10,000" or the legacy counters."""
        for node in tree.css("span.cl-page-number"):
            match = _PAGE_RANGE.search(node.text())
            if match:
                last = int(match.group(2).replace(",", ""))
                total = int(match.group(4).replace(",", ""))
                more = bool(match.group(3)) or last < total
                return total, _with_offset(page_url, last) if more else None
        count, upto = tree.css_first("span.totalcount"), tree.css_first("span.rangeTo")
        if count is not None and upto is not None:
            total, last = int(text_of(count).replace(",", "")), int(text_of(upto).replace(",", ""))
            return total, _with_offset(page_url, last) if last < total else None
        return None, None

    def parse_listing(self, html: str, url: str, now: datetime) -> ListingDraft:
        """A posting page: title, price, place, posted/updated times, images, attributes and map."""
        blocked = wall(html)
        if blocked:
            raise BlockedPage(blocked)
        tree = LexborHTMLParser(html)
        title_node = tree.css_first("#titletextonly")
        if title_node is None:
            raise Unparseable(f"no posting title on {url}")
        canonical = tree.css_first("link[rel=canonical]")
        page_url = (canonical.attributes.get("href") if canonical else None) or url
        pid = ""
        for info in tree.css(".postinginfos .postinginfo"):
            text = text_of(info)
            if text.startswith("post id:"):
                pid = text.removeprefix("post id:").strip()
        price_node = tree.css_first(".postingtitletext .price")
        reading = read_price(text_of(price_node) if price_node else None)
        place = None
        heading = tree.css_first(".postingtitletext")
        if heading is not None:
            for span in heading.css("span"):
                text = text_of(span)
                if text.startswith("(") and text.endswith(")"):
                    place = text[1:-1].strip() or None
        posted_at = updated_at = None
        for info in tree.css(".postinginfos .postinginfo"):
            stamp = info.css_first("time")
            if stamp is None:
                continue
            label = text_of(info).split(":", 1)[0]
            moment = from_iso(stamp.attributes.get("datetime"))
            if label == "posted":
                posted_at = moment
            elif label == "updated":
                updated_at = moment
        attributes: dict[str, str] = {}
        tags: list[str] = []
        for span in tree.css(".attrgroup > span"):
            if "otherpostings" in (span.attributes.get("class") or ""):
                continue
            text = text_of(span)
            label, colon, value = text.partition(":")
            if colon:
                attributes[label.strip()] = value.strip()
            elif text:
                tags.append(text)
        raw: dict[str, object] = {"attributes": attributes, "tags": tags}
        body = tree.css_first("#postingbody")
        if body is not None:
            description = clean(body.text(separator=" "))
            raw["description"] = description.removeprefix("QR Code Link to This Post").strip()
        map_node = tree.css_first("#map")
        if map_node is not None and map_node.attributes.get("data-latitude"):
            raw["latitude"] = map_node.attributes.get("data-latitude")
            raw["longitude"] = map_node.attributes.get("data-longitude")
        address = tree.css_first(".mapaddress")
        if address is not None:
            raw["map_address"] = text_of(address)
        return ListingDraft(
            marketplace=self.name,
            external_id=pid or _posting_id(page_url),
            title=text_of(title_node),
            url=page_url,
            price=reading.price,
            price_note=reading.note,
            currency=reading.currency,
            location=place,
            condition=attributes.get("condition"),
            image_urls=self._images(tree, html, page_url),
            posted_at=posted_at,
            updated_at=updated_at,
            raw=raw,
        )

    @staticmethod
    def _images(tree: LexborHTMLParser, html: str, page_url: str) -> tuple[str, ...]:
        """Full-size images from `var imgList`, else the JSON-LD images, else og:image."""
        match = _IMG_LIST.search(html)
        if match:
            try:
                return unique([entry.get("url") for entry in json.loads(match.group(1))])
            except (ValueError, AttributeError):
                pass
        ld = tree.css_first("#ld_posting_data")
        if ld is not None:
            try:
                images = json.loads(ld.text()).get("image") or []
            except (ValueError, AttributeError):
                images = []
            if images:
                return unique(images if isinstance(images, list) else [images])
        og = tree.css_first('meta[property="og:image"]')
        return unique([_image_url(og.attributes.get("content"), page_url)]) if og else ()


marketplaces.register("craigslist")(Craigslist)
