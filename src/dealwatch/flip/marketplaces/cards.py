"""Reading a search page card by card: a card that is not a listing is counted as skipped, a card that
cannot be read becomes a CardFailure with its raw markup, and neither stops the page.

Also the few text helpers every adapter needs (whitespace, walls, image lists).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TypeVar

from selectolax.lexbor import LexborNode

from dealwatch.core.errors import InvalidInput
from dealwatch.fetch.blocks import _HEAD_BYTES, detect_block
from dealwatch.flip.listing import RAW_LIMIT, CardFailure, ListingDraft, Unparseable

Card = TypeVar("Card")

_SPACE = re.compile(r"\s+")
_DISTANCE = re.compile(r"^\s*([\d.,]+)\s*(mi|miles?|km)\s*(?:away)?\s*$", re.IGNORECASE)
_KM_PER_MILE = Decimal("1.609344")
# What a card's own data can throw when markup changed under us: a failure, never a crash.
_CARD_ERRORS = (Unparseable, InvalidInput, ValueError, KeyError, TypeError, AttributeError, IndexError)


class NotAListing(Exception):
    """A card that is not a listing (an ad, a placeholder, a banner); counted under `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_cards(
    cards: Iterable[Card],
    read: Callable[[Card], ListingDraft],
    raw: Callable[[Card], str],
) -> tuple[tuple[ListingDraft, ...], tuple[CardFailure, ...], dict[str, int]]:
    """Read every card; listings keep page order and the first of any repeated id."""
    listings: list[ListingDraft] = []
    failures: list[CardFailure] = []
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    for index, card in enumerate(cards):
        try:
            listing = read(card)
        except NotAListing as skip:
            skipped[skip.reason] += 1
            continue
        except _CARD_ERRORS as exc:
            failures.append(CardFailure(index, f"{type(exc).__name__}: {exc}", raw(card)[:RAW_LIMIT]))
            continue
        if listing.external_id in seen:
            skipped["repeated"] += 1
            continue
        seen.add(listing.external_id)
        listings.append(listing)
    return tuple(listings), tuple(failures), dict(skipped)


def node_html(node: LexborNode) -> str:
    """A card's raw markup, for its failure record."""
    return node.html or ""


def clean(text: str | None) -> str:
    """Whitespace collapsed to single spaces and trimmed."""
    return _SPACE.sub(" ", text).strip() if text else ""


def text_of(node: LexborNode | None) -> str:
    """A node's text, whitespace collapsed; "" for no node."""
    return clean(node.text(separator=" ")) if node is not None else ""


def strings_of(node: LexborNode) -> list[str]:
    """The non-empty text strings under `node` in document order, as a reader sees them."""
    found = []
    for child in node.traverse(include_text=True):
        if child.is_text_node:
            text = clean(child.text_content)
            if text:
                found.append(text)
    return found


def wall(html: str) -> str | None:
    """Why this page is a bot wall or captcha instead of content, or None."""
    # detect_block reads only the first _HEAD_BYTES bytes and asks whether the page is small; the first
    # _HEAD_BYTES characters answer both exactly, without encoding a 2 MB page.
    verdict = detect_block(None, {}, html[:_HEAD_BYTES].encode("utf-8", errors="replace"))
    return verdict.reason if verdict else None


def distance_km(text: str) -> Decimal | None:
    """Kilometres from a shown distance ("1.2mi", "3 km"); None when the text is not one."""
    match = _DISTANCE.match(text)
    if not match:
        return None
    value = Decimal(match.group(1).replace(",", ""))
    return (value * _KM_PER_MILE).quantize(Decimal("0.01")) if match.group(2)[0] == "m" else value


def unique(urls: Sequence[str | None]) -> tuple[str, ...]:
    """Non-empty URLs without repeats, first-seen order."""
    return tuple(dict.fromkeys(url for url in urls if url))
