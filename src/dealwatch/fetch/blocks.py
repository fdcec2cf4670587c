"""Block detection: tell a bot wall or captcha from a real page, and name the vendor.

A blocked page is never a page without a sale: it is an unknown day.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Only the start of a page is read: walls are small, and real pages mention vendors in their footers.
_HEAD_BYTES = 40_000


@dataclass(frozen=True, slots=True)
class BlockSignature:
    """How one vendor's wall shows itself: header markers and body markers (any one is enough)."""

    vendor: str
    headers: tuple[tuple[str, str], ...] = ()
    body: tuple[re.Pattern[str], ...] = ()
    # Body markers alone count only on an error status or a small page (a shop may embed a vendor script).
    body_needs_error: bool = True


def _rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


SIGNATURES: tuple[BlockSignature, ...] = (
    BlockSignature(
        "cloudflare",
        headers=(("cf-mitigated", "challenge"),),
        body=_rx(
            r"<title>\s*just a moment\.\.\.",
            r"/cdn-cgi/challenge-platform/",
            r"cf-browser-verification",
            r"attention required!\s*\|\s*cloudflare",
            r"cf_chl_opt",
        ),
    ),
    BlockSignature(
        "akamai",
        body=_rx(
            r"reference\s*#\d+\.[0-9a-f]+\.\d+\.[0-9a-f]+",
            r"errors\.edgesuite\.net",
        ),
    ),
    BlockSignature(
        "perimeterx",
        body=_rx(r"px-captcha", r"_pxcaptcha", r"window\._pxappid", r"press\s*(?:&amp;|&)\s*hold"),
    ),
    BlockSignature(
        "datadome",
        headers=(("x-datadome", ""), ("x-dd-b", "")),
        body=_rx(r"captcha-delivery\.com", r"geo\.captcha-delivery", r"\bdd\s*=\s*\{"),
    ),
    BlockSignature(
        "imperva",
        headers=(("x-iinfo", ""), ("x-cdn", "imperva")),
        body=_rx(r"incapsula incident id", r"_incapsula_resource", r"request unsuccessful\. incapsula"),
    ),
    BlockSignature(
        "captcha",
        body=_rx(r"g-recaptcha", r"h-captcha", r"hcaptcha\.com/1/api\.js", r"cf-turnstile"),
    ),
    BlockSignature(
        "bot_wall",
        body=_rx(
            r"pardon our interruption",
            r"are you a (?:human|robot)\?",
            r"verify (?:that )?you are (?:a )?human",
            r"unusual traffic from your (?:computer )?network",
        ),
    ),
)
BARE_BLOCK_STATUSES = frozenset({403, 429, 503})
_SMALL_PAGE = 15_000


@dataclass(frozen=True, slots=True)
class BlockVerdict:
    """Why a response is a block: the vendor (or 'http' for a bare status) and what gave it away."""

    vendor: str
    evidence: str

    @property
    def reason(self) -> str:
        return f"blocked by {self.vendor}: {self.evidence}"


def detect_block(status: int | None, headers: Mapping[str, str], body: bytes) -> BlockVerdict | None:
    """The block this response shows, if any. `headers` keys must be lower-case."""
    error = status is not None and status >= 400
    # Walls write markers as character references too (Akamai: "Reference &#35;18&#46;...").
    text = html.unescape(body[:_HEAD_BYTES].decode("utf-8", errors="replace"))
    small = len(body) < _SMALL_PAGE
    for signature in SIGNATURES:
        for name, value in signature.headers:
            found = headers.get(name)
            if found is not None and value.lower() in found.lower():
                return BlockVerdict(signature.vendor, f"header {name}: {found}")
        if signature.body_needs_error and not (error or small):
            continue
        for pattern in signature.body:
            match = pattern.search(text)
            if match:
                return BlockVerdict(signature.vendor, f"page shows {match.group(0)[:60]!r}")
    if status in BARE_BLOCK_STATUSES:
        return BlockVerdict("http", f"HTTP {status}")
    return None
