"""The `rules` tier: judge the page's candidate banner lines (regions.py) with keyword rules.

Position matters as much as wording: the same "20% off" is a store-wide sale in the announcement
bar and a product badge in a product card. regions.py finds the candidate lines and drops what is
never a site-wide banner; this tier weighs each phrase's strength (lexicon.py) by where it was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dealwatch.promo.detect import lexicon
from dealwatch.promo.detect.base import Detection, Page
from dealwatch.promo.detect.regions import MAX_LINE, Candidate, scan

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
_NEGATIVE_CONFIDENCE = 0.9
_EXPLAINED_NEGATIVE_CONFIDENCE = 0.88


@dataclass(frozen=True, slots=True)
class Hit:
    """A candidate line judged promotional, scored by its phrase's strength and its position."""

    score: float
    judgement: lexicon.Judgement
    candidate: Candidate


class RulesDetector:
    """Position-aware keyword rules over the page's banner regions."""

    name = "rules"

    def detect(self, page: Page) -> Detection:
        """Judge the page's banner regions; a decided verdict unless the page has no readable text."""
        cached = page.memo.get("rules")  # the ml tier reads the same verdict
        if not isinstance(cached, Detection):
            cached = page.memo["rules"] = self._judge(page)
        return cached

    def _judge(self, page: Page) -> Detection:
        found = scan(page)
        if not found.readable:
            return Detection(None, 0.0, self.name, evidence=(found.reason or "unreadable",))
        best, dismissed = judge_candidates(found.candidates)
        if found.injection:
            dismissed.add("instruction_text")
        return self._verdict(best, dismissed)

    def _verdict(self, best: Hit | None, dismissed: set[str]) -> Detection:
        notes = tuple(f"dismissed:{reason}" for reason in sorted(dismissed))
        if best is not None and best.score >= 0.5:
            text = best.candidate.quote
            return Detection(
                True,
                round(best.score, 3),
                self.name,
                promotion_type=best.judgement.promotion_type,
                promotion_text=text,
                discount_pct=lexicon.discount_percent(text) or best.judgement.discount_pct,
                evidence=(best.candidate.where, f"keyword:{best.judgement.keyword}", *notes),
            )
        if best is not None:
            weak = (f"weak:{best.judgement.keyword} {best.candidate.where}",)
            return Detection(False, round(1.0 - best.score, 3), self.name, evidence=weak + notes)
        confidence = _EXPLAINED_NEGATIVE_CONFIDENCE if dismissed else _NEGATIVE_CONFIDENCE
        return Detection(False, confidence, self.name, evidence=("keyword:none", *notes))


def rules_verdict(page: Page) -> Detection:
    """The rules tier's verdict on a page, computed once per page."""
    return RulesDetector().detect(page)


@lru_cache(maxsize=8192)  # the rules and ml tiers judge the same lines of a page
def judge_line(candidate: Candidate) -> Hit | None:
    """The keyword judgement of one candidate line, weighed by its position; None if it says nothing."""
    if len(candidate.text) > MAX_LINE or not lexicon.might_promote(candidate.text):
        return None
    judgement = lexicon.judge(candidate.text, candidate.before, candidate.after)
    return Hit(judgement.strength * _WEIGHT[candidate.kind], judgement, candidate)


def judge_candidates(candidates: tuple[Candidate, ...]) -> tuple[Hit | None, set[str]]:
    """The strongest promotional line, and the reasons other promo-looking lines were dismissed."""
    best: Hit | None = None
    dismissed: set[str] = set()
    for candidate in candidates:
        hit = judge_line(candidate)
        if hit is None:
            continue
        if not hit.judgement.promotional:
            if hit.judgement.keyword != "none":
                dismissed.add(hit.judgement.keyword)
            continue
        if best is None or hit.score > best.score:
            best = hit
    return best, dismissed
