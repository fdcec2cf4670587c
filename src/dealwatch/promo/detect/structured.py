"""The `structured` tier: schema.org data embedded in the page (JSON-LD and microdata).

A `SaleEvent` (or an `Event` named like a sale) running on the page's day is site-level evidence.
Product `Offer`s, even discounted ones, are product-level evidence only: they are noted, never a
positive on their own, and leave the page undecided for the next tier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dealwatch.promo.detect import lexicon
from dealwatch.promo.detect.base import Detection, Page

_SALE_NAME = re.compile(
    r"\bsale\b|\bsoldes\b|\brebajas\b|\bsaldi\b|\buitverkoop\b|\bblack\s+friday\b|\bcyber\s+monday\b|"
    r"\bclearance\b|% off|\bdeals?\b|\bpromo",
    re.IGNORECASE,
)
# Script contents end at the first "</script" (HTML spec), so a regex reads them exactly without a DOM.
_JSON_LD = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENTS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")
_DATED_CONFIDENCE = 0.95
_UNDATED_CONFIDENCE = 0.7  # an event with no dates, or a page with no day: plausible, not settled


@dataclass(frozen=True, slots=True)
class _SaleEvent:
    name: str
    description: str
    start: date | None
    end: date | None
    source: str


class StructuredDetector:
    """Reads JSON-LD and microdata; decides only on a sale event, otherwise notes product offers."""

    name = "structured"

    def detect(self, page: Page) -> Detection:
        """A positive for a SaleEvent covering the page's day; otherwise undecided with notes."""
        items, malformed = _json_ld(page)
        events: list[_SaleEvent] = []
        offers = discounted = 0
        for item in items:
            types = _types(item)
            if "SaleEvent" in types or ("Event" in types and _SALE_NAME.search(_text(item.get("name")))):
                events.append(_event_from_json(item))
            elif "Offer" in types or "AggregateOffer" in types:
                offers += 1
                discounted += _is_discounted(item)
        events += _microdata_events(page)
        notes = [f"jsonld:malformed x{malformed}"] if malformed else []
        if offers:
            notes.append(f"product-offers:{offers} (discounted {discounted}); product-level only")

        outside: list[str] = []
        for event in events:
            covered = _covers(event, page.day)
            if covered is False:
                outside.append(f"{event.source}:SaleEvent outside its dates")
                continue
            confidence = _DATED_CONFIDENCE if covered else _UNDATED_CONFIDENCE
            judgement = lexicon.judge(event.name, after=event.description)
            return Detection(
                True,
                confidence,
                self.name,
                promotion_type=judgement.promotion_type or "other",
                promotion_text=event.name,
                discount_pct=lexicon.discount_percent(f"{event.name} {event.description}"),
                evidence=(f"{event.source}:SaleEvent" + ("" if covered else " (dates unchecked)"), *notes),
            )
        return Detection(None, 0.0, self.name, evidence=tuple(outside + notes))


def _json_ld(page: Page) -> tuple[list[dict[str, Any]], int]:
    """Every schema.org object in the page's JSON-LD (nested, @graph, lists), and the malformed count."""
    items: list[dict[str, Any]] = []
    malformed = 0
    for match in _JSON_LD.finditer(page.html):
        raw = _COMMENTS.sub("", match.group(1)).strip().rstrip(";")
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            malformed += 1
            continue
        items.extend(_walk(data))
    return items, malformed


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for element in data:
            yield from _walk(element)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _walk(value)


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {str(name).rsplit("/", 1)[-1] for name in names if name}


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    return " ".join(str(value).split()) if value is not None else ""


def _event_from_json(item: dict[str, Any]) -> _SaleEvent:
    return _SaleEvent(
        name=_text(item.get("name")) or "SaleEvent",
        description=_text(item.get("description")),
        start=_parse_day(_text(item.get("startDate"))),
        end=_parse_day(_text(item.get("endDate"))),
        source="jsonld",
    )


def _microdata_events(page: Page) -> list[_SaleEvent]:
    events: list[_SaleEvent] = []
    if "SaleEvent" not in page.html:
        return events  # schema.org names are case-sensitive; no need to parse the DOM
    for scope in page.tree.css('[itemscope][itemtype*="SaleEvent" i]'):

        def prop(name: str, scope: Any = scope) -> str:
            node = scope.css_first(f'[itemprop="{name}"]')
            if node is None:
                return ""
            attrs = node.attributes
            return " ".join((attrs.get("content") or attrs.get("datetime") or node.text() or "").split())

        events.append(
            _SaleEvent(
                name=prop("name") or "SaleEvent",
                description=prop("description"),
                start=_parse_day(prop("startDate")),
                end=_parse_day(prop("endDate")),
                source="microdata",
            )
        )
    return events


def _parse_day(value: str) -> date | None:
    """The calendar day of an ISO 8601 date or date-time, as written (its own timezone)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _covers(event: _SaleEvent, day: date | None) -> bool | None:
    """True/False when the event's dates do/don't cover `day`; None when that cannot be checked."""
    if day is None or (event.start is None and event.end is None):
        return None
    if event.start is not None and day < event.start:
        return False
    return not (event.end is not None and day > event.end)


def _is_discounted(offer: dict[str, Any]) -> bool:
    spec = offer.get("priceSpecification")
    specs = spec if isinstance(spec, list) else [spec]
    return any(isinstance(s, dict) and "Strikethrough" in _text(s.get("priceType")) for s in specs)
