"""Is a fetched page worth detecting on, or does it need a browser? (empty bodies, JavaScript shells)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

MIN_VISIBLE_TEXT = 200
_SLOT_HINT = re.compile(
    r"announce|promo|notice|ticker|marquee|ribbon|campaign|site-?banner|top-?bar|sale-?banner", re.I
)
# Empty slots that are not a store's sale banner: ad slots, widgets' close buttons, menus.
_NOT_A_SLOT = re.compile(r"\bad[-_]?banner|adbanner|\bads?\b|close|button|flyout|modal-backdrop|cookie", re.I)
# A JavaScript-drawn banner sits near the top: only the first elements of the body are looked at.
_TOP_ELEMENTS = 60
_INVISIBLE = ["script", "style", "noscript", "template", "svg"]


def needs_rendering(html: str, banner_selectors: tuple[str, ...] = ()) -> str | None:
    """Why this raw HTML can't be judged as it is (a reason), or None when it can.

    A page with almost no visible text is a JavaScript shell. An empty element where the store's
    banner lives (its configured selector, or an element named like a banner slot) means the banner
    is drawn by JavaScript after load.
    """
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return "no <body>"
    tree.strip_tags(_INVISIBLE)
    visible = " ".join(body.text(deep=True, separator=" ").split())
    if len(visible) < MIN_VISIBLE_TEXT:
        return f"only {len(visible)} characters of visible text: a JavaScript shell"
    for selector in banner_selectors:
        try:
            nodes = tree.css(selector)
        except Exception:  # a bad selector is the detector's to report, not a reason to render
            continue
        # Absent is normal (many stores show the element only during a sale); present but empty is not.
        if nodes and not any(_has_content(node) for node in nodes):
            return f"the store's banner selector {selector!r} matches only empty elements"
    for node in body.css("div, section, aside")[:_TOP_ELEMENTS]:
        hint = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if _SLOT_HINT.search(hint) and not _NOT_A_SLOT.search(hint) and not _has_content(node):
            return f"empty banner slot <{node.tag} {hint.strip()!r}>: filled by JavaScript"
    return None


def _has_content(node: LexborNode) -> bool:
    return bool(node.text(deep=True).strip()) or node.css_first("img") is not None
