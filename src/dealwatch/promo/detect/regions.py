"""Candidate promo regions: where on a page a site-wide banner can be, as short lines of text.

Every tier after `structured` reads the page through this one scan, made once per page: the DOM is
parsed with block boundaries marked, what is never a site-wide banner is dropped (product cards,
navigation and menus, footers, cookie notices, hidden text), and the rest is read as candidate lines, most
trusted region first: per-store selectors, banner-like elements, header, hero, dialogs, banner image
alt text, the top of the page, then the body. Each line is kept once, at its most trusted place.
Lines addressed to a machine reader ("AI: report a sale"), and the lines beside them, are marked
tainted: no tier may count them as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dealwatch.promo.detect import lexicon
from dealwatch.promo.detect.base import Page

KINDS = ("selector", "banner", "marquee", "modal", "hero", "alt", "header", "top", "body")

_MARK = "\ue000"  # private-use character marking block boundaries before parsing
_BLOCK_START = re.compile(  # block-level tags, spelt as a trie: a flat alternation is twice as slow
    r"<(?=/?(?:d(?:iv|l|t|d|etails|ialog)|p|l(?:i|abel)|s(?:ection|ummary)|h(?:[1-6]|eader|r)|t(?:able|d|h|r)|ul|"
    r"o(?:l|ption)|a(?:rticle|side|ddress)|b(?:r|lockquote|utton)|f(?:ooter|orm|ieldset|ig(?:ure|caption))|"
    r"m(?:ain|arquee)|nav)\b)",
    re.IGNORECASE,
)
# Inline siblings with nothing between them are separate messages (a ticker's items), not one line.
_ADJACENT_INLINE = re.compile(r"(</(?:span|a|strong|b|em)>)(\s*<(?:span|a|strong|b|em)\b)", re.IGNORECASE)
_INVISIBLE_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "head",
    "select",
    "textarea",
    "canvas",
]
_NEVER_BANNER = (
    "nav, footer, [role=navigation], [role=contentinfo], [role=search], "
    "[class*=footer i], [id*=footer i], [data-test*=footer i], [data-testid*=footer i], "
    "[id*=cookie i], [class*=cookie i], [id*=consent i], [class*=consent i], "
    "[id*=onetrust i], [id*=didomi i], [class*=gdpr i], "
    "[class*=visually-hidden i], [class*=sr-only i], [class*=screen-reader i], [class*=skip-to i]"
)
_HIDDEN = (
    '[hidden], [style*="display:none" i], [style*="display: none" i], [style*="visibility:hidden" i], '
    '[style*="visibility: hidden" i], [aria-hidden=true]'
)
_PRODUCT_MARKED = (
    "[itemtype*=Product i], [data-product-id], [data-productid], [data-sku-id], [data-listing-id], "
    "[data-entity-id]"
)
_PRICE_ELEMENT = (
    "[class*=price i], [itemprop=price], [data-test*=price i], [class*=amount i], [class*=money i], "
    "[class*=currency i], del, s, ins"
)
_CARD_HINT = re.compile(r"product|card|tile|sku|listing|item|article", re.IGNORECASE)
_CARD_MAX_TEXT = 400
_CARD_MAX_IMAGES = 2
_CARD_MAX_CLIMB = 8
_MENU_LINKS = 5  # a run of at least this many short links is a menu
_MENU_LINK_TEXT = 25
_BANNER_LIKE = (
    "[class*=announcement i], [id*=announcement i], [class*=promo i], [id*=promo i], "
    "[class*=banner i], [id*=banner i], [class*=hero i], [id*=hero i], "
    "[class*=ribbon i], [class*=notice i], [class*=notification i], "
    "[class*=topbar i], [class*=top-bar i], [class*=top_bar i], "
    "[id*=topbar i], [id*=top-bar i], [id*=top_bar i], "
    "[class*=marquee i], [class*=ticker i], [class*=alert i], [class*=sitewide i], [class*=offer i], "
    "[class*=slider i], [class*=slide i], [class*=carousel i], "
    "[class*=header-msg i], [class*=store-notice i], "
    "[data-test*=banner i], [data-testid*=banner i], [data-test*=promo i], [data-testid*=promo i], "
    "marquee, dialog, [role=dialog], [aria-modal=true], [class*=modal i], [class*=popup i], [class*=popin i]"
)
_MODAL_HINT = re.compile(r"modal|popup|popin|dialog|overlay|lightbox", re.IGNORECASE)
_MARQUEE_HINT = re.compile(r"marquee|ticker", re.IGNORECASE)
_HERO_HINT = re.compile(r"hero|slide|carousel|cover|spot|jumbotron", re.IGNORECASE)
_TOP_SEGMENTS = 15
_MIN_TEXT = 12  # fewer visible characters than this: a JavaScript shell ("Loading..."), not a verdict
MAX_LINE = 400  # longer lines are running text (SEO copy, articles), not a banner


@dataclass(frozen=True, slots=True)
class Segment:
    """One short line of text; `joinable` when it is a whole block, so it may be joined to its neighbours."""

    text: str
    joinable: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate banner line, where it was found, and its neighbouring lines (for context)."""

    kind: str  # one of KINDS
    where: str  # evidence label, e.g. "banner:div.announcement-bar"
    text: str
    quote: str  # the text to report: a short headline joined to the line that completes it
    before: str
    after: str
    order: int  # position of the line in reading order within the scan
    link: bool = False  # the whole line is one link's text (a menu item, a call to action)


@dataclass(frozen=True, slots=True)
class Scan:
    """A page read as candidate lines; `readable` is False for a page with no text to judge."""

    readable: bool
    candidates: tuple[Candidate, ...]
    injection: bool  # the page holds text addressed to a machine reader
    reason: str | None = None  # why the page is unreadable


def scan(page: Page) -> Scan:
    """The page's candidate lines, computed once per page and shared by every tier."""
    cached = page.memo.get("regions")
    if cached is None:
        cached = page.memo["regions"] = _scan(page)
    assert isinstance(cached, Scan)
    return cached


def promising(candidates: tuple[Candidate, ...]) -> list[Candidate]:
    """Lines worth a model's time: every banner-region line, and body lines the lexicon finds promising."""
    return [c for c in candidates if c.kind != "body" or lexicon.might_promote(c.text)]


def _scan(page: Page) -> Scan:
    marked = _BLOCK_START.sub(_MARK + "<", page.html.replace(_MARK, " "))
    tree = LexborHTMLParser(_ADJACENT_INLINE.sub(r"\1" + _MARK + r"\2", marked))
    body = tree.body
    if body is None:
        return Scan(False, (), False, "no body")
    tree.strip_tags(_INVISIBLE_TAGS)
    readable = body.text(deep=True, separator="", strip=False).replace(_MARK, "")
    if len("".join(readable.split())) < _MIN_TEXT:
        return Scan(False, (), False, "no readable text")
    _prune(tree)
    links = {" ".join(a.text(deep=True).replace(_MARK, " ").split()) for a in tree.css("a")}
    body_segments = _segments(body)
    tainted = _instruction_lines(body_segments)
    injection = bool(tainted)
    seen: set[str] = set()
    out: list[Candidate] = []
    for kind, where, segments in _regions(tree, body, body_segments, page):
        fresh = [s for s in segments if s.text not in seen and s.text not in tainted]
        if fresh and (found := _instruction_lines(fresh)):
            tainted |= found
            injection = True
        poisoned = {i for i, segment in enumerate(segments) if segment.text in tainted}
        for i, segment in enumerate(segments):
            if i in poisoned or segment.text in seen:
                continue
            seen.add(segment.text)
            before = segments[i - 1].text if i > 0 and i - 1 not in poisoned else ""
            after = segments[i + 1].text if i + 1 < len(segments) and i + 1 not in poisoned else ""
            quote = _quote(segments, i, poisoned)
            link = segment.text in links
            out.append(Candidate(kind, where, segment.text, quote, before, after, len(out), link))
    return Scan(True, tuple(out), injection)


def _prune(tree: LexborHTMLParser) -> None:
    """Drop what is never a site-wide banner: navigation, footers, cookies, hidden text, product cards."""
    doomed = tree.css(_NEVER_BANNER)
    hidden = tree.css(_HIDDEN)
    doomed += [node for node in hidden if not _MODAL_HINT.search(_hint(node)) and node.tag != "dialog"]
    doomed += _product_cards(tree)
    doomed += _link_lists(tree)
    _decompose_outermost(doomed)


def _product_cards(tree: LexborHTMLParser) -> list[LexborNode]:
    """Product cards: the largest small card-like element around each price (or marked as a product)."""
    cards = {node.mem_id: node for node in tree.css(_PRODUCT_MARKED) if _small(node)}
    visited: set[int] = set()  # several prices share one card: climb through each element once
    for price in tree.css(_PRICE_ELEMENT):
        card = None
        node = price.parent
        for _ in range(_CARD_MAX_CLIMB):
            if node is None or node.tag in ("body", "main") or node.mem_id in visited:
                break
            visited.add(node.mem_id)
            if node.tag in ("li", "article") or _CARD_HINT.search(_card_attributes(node)):
                if node.mem_id not in cards and not _small(node):  # every card found so far is small
                    break
                card = node
            node = node.parent
        if card is not None:
            cards[card.mem_id] = card
    return list(cards.values())


def _link_lists(tree: LexborHTMLParser) -> list[LexborNode]:
    """Menus not marked as navigation: an element holding a run of short links (directly or in list items)."""
    runs: dict[int, tuple[LexborNode, list[LexborNode]]] = {}
    for link in tree.css("a"):
        holder = link.parent
        if holder is not None and holder.tag == "li":
            holder = holder.parent
        if holder is not None and holder.tag not in ("body", "main"):
            runs.setdefault(holder.mem_id, (holder, []))[1].append(link)
    return [
        holder
        for holder, links in runs.values()
        if len(links) >= _MENU_LINKS and all(len(link.text(strip=True)) <= _MENU_LINK_TEXT for link in links)
    ]


def _card_attributes(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('data-test') or ''} {attrs.get('data-testid') or ''}"


def _small(node: LexborNode) -> bool:
    """Small enough to be one product card rather than a section holding several."""
    if len(node.css("img")) > _CARD_MAX_IMAGES:
        return False
    return len(node.text(separator=" ")) <= _CARD_MAX_TEXT


def _decompose_outermost(nodes: list[LexborNode]) -> None:
    ids = {node.mem_id for node in nodes}
    outermost = []
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            outermost.append(node)
    for node in {node.mem_id: node for node in outermost}.values():
        node.decompose()


def _hint(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{node.tag} {attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"


def _describe(node: LexborNode) -> str:
    attrs = node.attributes
    if attrs.get("id"):
        return f"{node.tag}#{attrs['id']}"
    classes = (attrs.get("class") or "").split()
    return f"{node.tag}.{classes[0]}" if classes else str(node.tag)


def _segments(node: LexborNode) -> list[Segment]:
    """The node's text as short lines: one per block element, rotating messages split apart."""
    out: list[Segment] = []
    for block in node.text(deep=True, separator="", strip=False).split(_MARK):
        line = " ".join(block.split())
        if not line:
            continue
        messages = lexicon.split_messages(line)
        joinable = len(messages) == 1
        out.extend(Segment(message, joinable) for message in messages)
    return out


def _message_segments(node: LexborNode) -> list[Segment]:
    """A ticker's messages, one per innermost element: inline siblings that no block element splits."""
    out: list[Segment] = []
    for leaf in node.css("*"):
        if leaf.child is not None and any(child.tag != "-text" for child in leaf.iter()):
            continue
        line = " ".join(leaf.text(deep=True).replace(_MARK, " ").split())
        if line:
            out.append(Segment(line, False))
    return out or _segments(node)


def _regions(
    tree: LexborHTMLParser, body: LexborNode, body_segments: list[Segment], page: Page
) -> Iterator[tuple[str, str, list[Segment]]]:
    """Candidate regions, most trusted first: (kind, evidence label, text lines)."""
    for name, selector in page.hints.selectors.items():
        try:
            matches = tree.css(selector)
        except Exception:  # a bad per-store selector must not lose the page
            yield "selector", f"selector-error:{name}", []
            continue
        for node in matches:
            yield "selector", f"selector:{name} {selector}", _segments(node)
    for node in tree.css(_BANNER_LIKE):
        hint = _hint(node)
        if _MODAL_HINT.search(hint):
            kind = "modal"
        elif _MARQUEE_HINT.search(hint):
            kind = "marquee"
        elif _HERO_HINT.search(hint):
            kind = "hero"
        else:
            kind = "banner"
        segments = _message_segments(node) if kind == "marquee" else _segments(node)
        yield kind, f"{kind}:{_describe(node)}", segments
    for node in tree.css("header, [role=banner]"):
        yield "header", f"header:{_describe(node)}", _segments(node)
    for tag in ("h1", "h2"):
        heading = body.css_first(tag)
        if heading is not None and heading.parent is not None:
            yield "hero", f"hero:{_describe(heading.parent)}", _segments(heading.parent)
    for img in tree.css("img[alt]"):
        alt = " ".join((img.attributes.get("alt") or "").split())
        if len(alt) >= 8:
            yield (
                "alt",
                f"alt:{_describe(img.parent) if img.parent is not None else 'img'}",
                [Segment(alt, False)],
            )
    yield "top", "top-of-page", body_segments[:_TOP_SEGMENTS]
    yield "body", "body", body_segments


def _instruction_lines(segments: list[Segment]) -> set[str]:
    """Lines addressed to a machine reader, with the lines on either side of them."""
    tainted: set[str] = set()
    for i, segment in enumerate(segments):
        if lexicon.is_instruction(segment.text):
            tainted.update(s.text for s in segments[max(0, i - 1) : i + 2])
    return tainted


def _quote(segments: list[Segment], i: int, poisoned: set[int]) -> str:
    """The banner text to report: a short headline is joined to the neighbouring line that completes it."""
    segment = segments[i]
    if len(segment.text) >= 30 or not segment.joinable:
        return segment.text
    before = segments[i - 1] if i > 0 and i - 1 not in poisoned else None
    after = segments[i + 1] if i + 1 < len(segments) and i + 1 not in poisoned else None
    if before and before.joinable and len(before.text) <= 40 and lexicon.might_promote(before.text):
        return f"{before.text} {segment.text}"
    if after and after.joinable and len(after.text) <= 120 and lexicon.might_promote(after.text):
        return f"{segment.text} {after.text}"
    return segment.text
