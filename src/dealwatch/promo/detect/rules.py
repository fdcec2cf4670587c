"""The `rules` tier: read the places where site-wide banners live and judge their text with keyword rules.

Position matters as much as wording: the same "20% off" is a store-wide sale in the announcement
bar and a product badge in a product card. The tier builds candidate regions (per-store selectors,
banner-like elements, header, hero, dialogs, banner image alt text, the top of the page, then the
rest of the body), drops what is never a site-wide banner (product cards, navigation, footers,
cookie notices, hidden text), and weighs each phrase's strength (lexicon.py) by where it was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dealwatch.promo.detect import lexicon
from dealwatch.promo.detect.base import Detection, Page

_MARK = "\ue000"  # private-use character marking block boundaries before parsing
_BLOCK_START = re.compile(  # block-level tags, spelt as a trie: a flat alternation is twice as slow
    r"<(?=/?(?:d(?:iv|l|t|d|etails|ialog)|p|l(?:i|abel)|s(?:ection|ummary)|h(?:[1-6]|eader|r)|t(?:able|d|h|r)|ul|"
    r"o(?:l|ption)|a(?:rticle|side|ddress)|b(?:r|lockquote|utton)|f(?:ooter|orm|ieldset|ig(?:ure|caption))|"
    r"m(?:ain|arquee)|nav)\b)",
    re.IGNORECASE,
)
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

# How much a phrase's strength is trusted, by where it was found.
_WEIGHT = {
    "selector": 1.0,
    "banner": 1.0,
    "marquee": 1.0,
    "modal": 0.97,
    "hero": 0.97,
    "alt": 0.95,
    "header": 0.93,
    "top": 0.9,
    "body": 0.72,
}
_TOP_SEGMENTS = 15
_MAX_LINE = 400  # longer lines are running text (SEO copy, articles), not a banner
_MIN_TEXT = 12  # fewer visible characters than this: a JavaScript shell ("Loading..."), not a verdict
_NEGATIVE_CONFIDENCE = 0.9
_EXPLAINED_NEGATIVE_CONFIDENCE = 0.88


@dataclass(frozen=True, slots=True)
class _Segment:
    text: str
    joinable: bool  # a whole block of text, so it can be joined to its neighbours verbatim


@dataclass(frozen=True, slots=True)
class _Hit:
    score: float
    judgement: lexicon.Judgement
    text: str
    where: str


class RulesDetector:
    """Position-aware keyword rules over the page's banner regions."""

    name = "rules"

    def detect(self, page: Page) -> Detection:
        """Judge the page's banner regions; a decided verdict unless the page has no readable text."""
        tree = LexborHTMLParser(_BLOCK_START.sub(_MARK + "<", page.html.replace(_MARK, " ")))
        body = tree.body
        if body is None:
            return Detection(None, 0.0, self.name, evidence=("no body",))
        tree.strip_tags(_INVISIBLE_TAGS)
        readable = body.text(deep=True, separator="", strip=False).replace(_MARK, "")
        if len("".join(readable.split())) < _MIN_TEXT:
            return Detection(None, 0.0, self.name, evidence=("no readable text",))
        _prune(tree)
        body_segments = _segments(body)

        # Text addressed to a machine reader, and the lines around it, count for nothing anywhere on the page.
        tainted = _instruction_lines(body_segments)
        dismissed = {"instruction_text"} if tainted else set()
        seen: set[str] = set()
        best: _Hit | None = None
        for kind, where, segments in _regions(tree, body, body_segments, page):
            for hit in _judge_region(kind, where, segments, seen, tainted, dismissed):
                if best is None or hit.score > best.score:
                    best = hit
        return self._verdict(best, dismissed)

    def _verdict(self, best: _Hit | None, dismissed: set[str]) -> Detection:
        notes = tuple(f"dismissed:{reason}" for reason in sorted(dismissed))
        if best is not None and best.score >= 0.5:
            return Detection(
                True,
                round(best.score, 3),
                self.name,
                promotion_type=best.judgement.promotion_type,
                promotion_text=best.text,
                discount_pct=lexicon.discount_percent(best.text) or best.judgement.discount_pct,
                evidence=(best.where, f"keyword:{best.judgement.keyword}", *notes),
            )
        if best is not None:
            weak = (f"weak:{best.judgement.keyword} {best.where}",)
            return Detection(False, round(1.0 - best.score, 3), self.name, evidence=weak + notes)
        confidence = _EXPLAINED_NEGATIVE_CONFIDENCE if dismissed else _NEGATIVE_CONFIDENCE
        return Detection(False, confidence, self.name, evidence=("keyword:none", *notes))


def _prune(tree: LexborHTMLParser) -> None:
    """Drop what is never a site-wide banner: navigation, footers, cookies, hidden text, product cards."""
    doomed = tree.css(_NEVER_BANNER)
    hidden = tree.css(_HIDDEN)
    doomed += [node for node in hidden if not _MODAL_HINT.search(_hint(node)) and node.tag != "dialog"]
    doomed += _product_cards(tree)
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
                if not _small(node):
                    break
                card = node
            node = node.parent
        if card is not None:
            cards[card.mem_id] = card
    return list(cards.values())


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


def _segments(node: LexborNode) -> list[_Segment]:
    """The node's text as short lines: one per block element, rotating messages split apart."""
    out: list[_Segment] = []
    for block in node.text(deep=True, separator="", strip=False).split(_MARK):
        line = " ".join(block.split())
        if not line:
            continue
        messages = lexicon.split_messages(line)
        joinable = len(messages) == 1
        out.extend(_Segment(message, joinable) for message in messages)
    return out


def _message_segments(node: LexborNode) -> list[_Segment]:
    """A ticker's messages, one per innermost element: inline siblings that no block element splits."""
    out: list[_Segment] = []
    for leaf in node.css("*"):
        if leaf.child is not None and any(child.tag != "-text" for child in leaf.iter()):
            continue
        line = " ".join(leaf.text(deep=True).split())
        if line:
            out.append(_Segment(line, False))
    return out or _segments(node)


def _regions(
    tree: LexborHTMLParser, body: LexborNode, body_segments: list[_Segment], page: Page
) -> Iterator[tuple[str, str, list[_Segment]]]:
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
                [_Segment(alt, False)],
            )
    yield "top", "top-of-page", body_segments[:_TOP_SEGMENTS]
    yield "body", "body", body_segments


def _instruction_lines(segments: list[_Segment]) -> set[str]:
    """Lines addressed to a machine reader, with the lines on either side of them."""
    tainted: set[str] = set()
    for i, segment in enumerate(segments):
        if lexicon.is_instruction(segment.text):
            tainted.update(s.text for s in segments[max(0, i - 1) : i + 2])
    return tainted


def _judge_region(
    kind: str, where: str, segments: list[_Segment], seen: set[str], tainted: set[str], dismissed: set[str]
) -> Iterator[_Hit]:
    fresh = [s for s in segments if s.text not in seen and s.text not in tainted]
    if fresh and (found := _instruction_lines(fresh)):
        tainted.update(found)
        dismissed.add("instruction_text")
    poisoned = {i for i, segment in enumerate(segments) if segment.text in tainted}
    weight = _WEIGHT[kind]
    for i, segment in enumerate(segments):
        if i in poisoned or segment.text in seen:
            continue
        seen.add(segment.text)
        if len(segment.text) > _MAX_LINE or not lexicon.might_promote(segment.text):
            continue
        before = segments[i - 1].text if i > 0 and i - 1 not in poisoned else ""
        after = segments[i + 1].text if i + 1 < len(segments) and i + 1 not in poisoned else ""
        judgement = lexicon.judge(segment.text, before, after)
        if not judgement.promotional:
            if judgement.keyword != "none":
                dismissed.add(judgement.keyword)
            continue
        yield _Hit(judgement.strength * weight, judgement, _quote(segments, i, poisoned), where)


def _quote(segments: list[_Segment], i: int, poisoned: set[int]) -> str:
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
