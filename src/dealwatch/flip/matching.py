"""Comparable sold items and how a listing finds them: titles normalised, model numbers and brands read
from text (a title, a description or OCR), and a CompIndex returning the comps closest to a query.

Matching runs in two stages so that no query loops over the pool in Python: an inverted index over
title tokens, model numbers, brand and category picks about a hundred candidates by shared rare tokens
(numpy), then rapidfuzz scores those titles in C. A shared model number ("WH-1000XM4" = "WH1000XM4")
outranks any fuzzy title match; a different model number, a different brand or a different figure
of the same kind ("128gb" vs "256gb", "iphone 12" vs "iphone 13") pulls the score down.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.listing import ListingDraft

# Condition grades, best first. Marketplaces' own words map onto them in `condition_grade`.
NEW, LIKE_NEW, USED, FOR_PARTS = "new", "like new", "used", "for parts"

_GRADE_WORDS = (
    # Checked in this order: "new other" and "open box" are like new, "not working" is for parts.
    (FOR_PARTS, re.compile(r"\bfor parts\b|\bparts only\b|not working|\bbroken\b|\bas[- ]is\b|\bpoor\b")),
    (LIKE_NEW, re.compile(r"like new|\bnew[ (]+other\b|open(?:ed)? box|\bmint\b|excellent|\bnwob\b|\beuc\b")),
    (NEW, re.compile(r"\bnew\b|\bsealed\b|\bnib\b|\bbnib\b|\bnwt\b|\bbnwt\b|unopened|\bunused\b")),
    (USED, re.compile(r"used|pre-?owned|\bgood\b|\bfair\b|acceptable|refurbished|\bguc\b|\bvguc\b")),
)
# Mercari-style numeric conditions: 1 new, 2 like new, 3 good, 4 fair, 5 poor.
_GRADE_IDS = {"1": NEW, "2": LIKE_NEW, "3": USED, "4": USED, "5": FOR_PARTS}

# Seller's filler that says nothing about which item it is (condition is read separately).
_NOISE = frozenset(
    # One string reads better than one word per line, hence SIM905 off.
    "a an and the for of to in on by with w new brand used preowned pre owned free shipping ship ships "  # noqa: SIM905
    "fast look l k wow rare htf nib nwt nwot bnib bnwt euc guc vguc obo authentic genuine excellent "
    "condition great good mint sealed tested works working nice".split()
)
# A figure with a unit is a spec ("128gb", "2.5l", "4k"), not a model number.
_QUANTITY = re.compile(
    r"^\d+(?:\.\d+)?(?:gb|tb|mb|mah|ah|w|kw|v|mm|cm|m|in|inch|ft|l|ml|oz|lb|lbs|kg|g|hz|mhz|ghz|k|p|x|"
    r"pc|pcs|pk|ct|th|st|nd|rd|d|s|yr|yrs|mo|a|cc|qt|gal|fps|mp|xl|xxl|xs)$",
    re.IGNORECASE,
)
_MODEL_SHAPE = re.compile(r"(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]{3,20}\Z")
_SERIES_NUMBER = re.compile(r"\d{3,5}[A-Za-z]{0,2}\Z")
_DIMENSIONS = re.compile(r"^\d+x\d+$", re.IGNORECASE)
_PUNCTUATION = "()[]{}<>,.;:!?\"'*#|/\\"
_HYPHENATED = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
# A category path's first level ("Electronics" of "Electronics/Cell Phones/Smartphones").
_CATEGORY_PATH = re.compile(r"\s*[/>›|]\s*")
_SPEC = re.compile(r"^(\d+)([a-z]*)$")
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-3]\d)$")
_FOR_ANOTHER = frozenset({"for", "fits", "fit", "compatible", "replacement"})
# "RTX 5090", "GTX 1080": a short upper-case series name before a bare number is part of the model.
_SERIES_STOP = frozenset(
    "NEW USED LOT OF FOR THE AND WITH SET PACK SIZE NIB NWT OEM FITS FIT YEAR GEN PRO MAX MINI AIR "  # noqa: SIM905
    "PLUS LIKE RARE FREE BOX CASE FAST ONE ALL TWO BIG TOP HOT".split()
)


def normalise_title(text: str) -> str:
    """Lower-case words without punctuation or filler, model numbers written as one token."""
    return " ".join(_analyse(text)[0])


@lru_cache(maxsize=65536)  # sold results come back for every listing of the same search
def _analyse(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A title's matching tokens and its model numbers."""
    models = model_numbers(text)
    tokens: list[str] = []
    for raw in text.split():
        code = _code_of(raw.strip(_PUNCTUATION))
        if code:
            tokens.append(code.lower())
            continue
        for word in default_process(raw).split():
            if word not in _NOISE:
                tokens.append(word)
    return tuple(_merge_series(tokens, {m.lower() for m in models})), models


def _merge_series(tokens: list[str], models: set[str]) -> list[str]:
    """A series name and its number ("rtx", "5090") become the model token alone ("rtx5090")."""
    merged: list[str] = []
    skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if i + 1 < len(tokens) and token + tokens[i + 1] in models:
            merged.append(token + tokens[i + 1])
            skip = True
        else:
            merged.append(token)
    return merged


def model_numbers(text: str) -> tuple[str, ...]:
    """The item's model and part numbers in `text` (upper-case, no separators), before any "for X"."""
    found: list[str] = []
    words = _HYPHENATED.findall(text)
    upper, lower = sum(map(str.isupper, text)), sum(map(str.islower, text))
    # In an all-caps title every word is upper-case, so case says nothing about a series name.
    shouting = lower < 0.15 * (upper + lower)
    for i, word in enumerate(words):
        if word.lower() in _FOR_ANOTHER and (i + 1 == len(words) or words[i + 1].lower() != "parts"):
            # "Ear pads for Sony WH-1000XM4": what follows names the item this one fits, not this one.
            break
        code = _code_of(word)
        if code:
            found.append(code)
        elif (
            not shouting
            and 2 <= len(word) <= 4
            and word.isalpha()
            and word.isupper()
            and word not in _SERIES_STOP
            and i + 1 < len(words)
            and _SERIES_NUMBER.match(words[i + 1])
            and not _YEAR.match(words[i + 1])
            and not _QUANTITY.match(words[i + 1])
        ):
            found.append((word + words[i + 1]).upper())
    return tuple(dict.fromkeys(found))


def _code_of(word: str) -> str | None:
    """The model number a word spells ("WH-1000XM4" -> "WH1000XM4", "48-11-1850"), else None."""
    if not word.isascii():
        return None
    code = word.replace("-", "").upper()
    if not code.isalnum():
        return None
    if _MODEL_SHAPE.match(code):
        return None if _QUANTITY.match(code) or _DIMENSIONS.match(code) else code
    # All digits: a hyphenated part number ("2804-20"), but not a year range ("2003-2010", "98-10").
    groups = word.split("-")
    if code.isdigit() and len(groups) > 1 and len(code) >= 6 and not all(_YEAR.match(g) for g in groups):
        return code
    return None


def condition_grade(condition: str | None, title: str = "") -> str | None:
    """The grade (new, like new, used, for parts) of a condition text, else of the title; None if unsaid."""
    for text in (condition, title):
        if not text:
            continue
        lowered = text.strip().lower()
        if lowered in _GRADE_IDS:
            return _GRADE_IDS[lowered]
        for grade, pattern in _GRADE_WORDS:
            if pattern.search(lowered):
                return grade
    return None


def _key(text: str | None) -> str | None:
    """A brand or category as a comparable key ("Victoria's Secret" -> "victoria s secret")."""
    if not text:
        return None
    key = default_process(text)
    return key or None


class Brands:
    """A brand list that finds the brand named in a title (longest name first)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for name in {k for k in map(_key, names) if k and len(k) > 1 and k not in _NOISE}:
            words = tuple(name.split())
            self._by_first.setdefault(words[0], []).append(words)
        for names_ in self._by_first.values():
            names_.sort(key=len, reverse=True)

    def find(self, title: str) -> str | None:
        """The first brand of the list named in `title`, as a key; None when none is."""
        return self.find_in(default_process(title).split())

    def find_in(self, words: Sequence[str]) -> str | None:
        """Like `find`, over a title already split into processed words."""
        for i, word in enumerate(words):
            for name in self._by_first.get(word, ()):
                if tuple(words[i : i + len(name)]) == name:
                    return " ".join(name)
        return None


@dataclass(frozen=True, slots=True)
class Comp:
    """One sold item: what sold, in what condition, for how much and when."""

    title: str
    price: Money
    brand: str | None = None
    category: str | None = None
    condition: str | None = None
    shipping: Money | None = None
    sold_at: datetime | None = None
    source: str | None = None
    url: str | None = None
    # Description or OCR text: read for model numbers when the title has none.
    description: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise InvalidInput("a comp needs a title")
        if self.sold_at is not None and self.sold_at.utcoffset() is None:
            raise InvalidInput(f"naive sold_at on comp {self.title!r}: {self.sold_at!r}")

    @classmethod
    def from_listing(
        cls, listing: ListingDraft, brand: str | None = None, category: str | None = None
    ) -> Comp:
        """A comp from a sold listing; raises InvalidInput for one that did not sell or has no price."""
        if not listing.sold or listing.price is None:
            raise InvalidInput(f"{listing.marketplace} listing {listing.external_id} is not a priced sale")
        return cls(
            title=listing.title,
            price=listing.price,
            brand=brand,
            category=category,
            condition=listing.condition,
            shipping=listing.shipping,
            sold_at=listing.sold_at,
            source=listing.marketplace,
            url=listing.url,
        )


@dataclass(frozen=True, slots=True)
class ItemQuery:
    """The item to find comps for: a listing's title, brand, category and condition."""

    title: str
    brand: str | None = None
    category: str | None = None
    condition: str | None = None
    description: str | None = None
    currency: str = "USD"

    @classmethod
    def from_listing(
        cls, listing: ListingDraft, brand: str | None = None, category: str | None = None
    ) -> ItemQuery:
        """The query for one marketplace listing."""
        return cls(listing.title, brand, category, listing.condition, currency=listing.currency)


@dataclass(frozen=True, slots=True)
class Match:
    """A comp found for a query, with its similarity (0-1) and whether a model number matched."""

    comp: Comp
    similarity: float
    model_match: bool
    # Position of the comp in its CompIndex, for the valuation's per-comp arrays.
    position: int


@dataclass(frozen=True, slots=True)
class _Features:
    """What matching reads from one title."""

    title: str
    tokens: tuple[str, ...]
    models: frozenset[str]
    specs: dict[str, frozenset[str]]
    brand: str | None
    given_brand: str | None
    category: str | None
    department: str | None
    # Index tokens with their weights before IDF: words 1, category, brand and model numbers more.
    weighted: tuple[tuple[str, float], ...]

    @classmethod
    def of(
        cls, title: str, description: str | None, brand: str | None, category: str | None, brands: Brands
    ) -> _Features:
        tokens, models = _analyse(title)
        if not models and description:
            models = model_numbers(description)
        given = _key(brand)
        found = given or brands.find_in(tokens)
        category_key = _key(category)
        return cls(
            title=" ".join(tokens),
            tokens=tokens,
            models=frozenset(models),
            specs=_specs(tokens, {m.lower() for m in models}),
            brand=found,
            given_brand=given,
            category=category_key,
            department=_key(_CATEGORY_PATH.split(category.strip())[0]) if category else None,
            weighted=_weighted_tokens(tokens, models, found, category_key),
        )


@dataclass(frozen=True, slots=True)
class CompKeys:
    """How matching reads a comp or query: brand (given or found in the title), category, model numbers."""

    brand: str | None
    category: str | None
    models: frozenset[str]

    @classmethod
    def of(cls, features: _Features) -> CompKeys:
        return cls(features.brand, features.category, features.models)


def _specs(tokens: Sequence[str], models: set[str]) -> dict[str, frozenset[str]]:
    """Figures by kind: {"gb": {"128gb"}, "": {"13"}} (bare numbers are one kind)."""
    kinds: dict[str, set[str]] = {}
    for token in tokens:
        if token in models:
            continue
        match = _SPEC.match(token)
        if match:
            kinds.setdefault(match.group(2), set()).add(token)
    return {kind: frozenset(values) for kind, values in kinds.items()}


# Similarity scale: a shared model number lands in [MODEL_FLOOR, 1], a title match below MODEL_FLOOR.
MODEL_FLOOR = 0.85
_OTHER_MODEL = 0.5
_OTHER_SPEC = 0.85
_OTHER_BRAND = 0.6
_OTHER_CATEGORY = 0.9
# A comp from another department (an iPhone case for an iPhone) is most likely another kind of item.
_OTHER_DEPARTMENT = 0.6
# Title similarity: this share from rapidfuzz's token scores, the rest from rare-token overlap.
_FUZZY_SHARE = 0.5
# Comps scored by rapidfuzz per query: those sharing the most rare-token weight with it.
_SHORTLIST = 120
# Candidate tokens weigh their inverse document frequency, model numbers and brand more.
_MODEL_WEIGHT, _BRAND_WEIGHT, _CATEGORY_WEIGHT = 3.0, 2.0, 1.0


class CompIndex:
    """Sold items indexed for matching: `candidates(query, k)` gives the k closest, best first."""

    def __init__(self, comps: Iterable[Comp], brands: Iterable[str] = ()) -> None:
        given = list(comps)
        self.comps: tuple[Comp, ...] = tuple(c for c in given if c.price.amount > 0)
        # Unpriced (free, $0) sales cannot be comps; counted so none vanishes silently.
        self.skipped = len(given) - len(self.comps)
        self.brands = Brands([*brands, *(c.brand for c in self.comps if c.brand)])
        self._features = [
            _Features.of(c.title, c.description, c.brand, c.category, self.brands) for c in self.comps
        ]
        postings: dict[str, list[int]] = {}
        kinds: dict[str, list[int]] = {}
        for position, features in enumerate(self._features):
            for token, _ in features.weighted:
                postings.setdefault(token, []).append(position)
            for kind in features.specs:
                kinds.setdefault(kind, []).append(position)
        size = max(len(self.comps), 1)
        # Positions ascend in every posting list, so membership is a binary search.
        self._postings = {token: np.asarray(ids, dtype=np.int32) for token, ids in postings.items()}
        self._kinds = {kind: np.asarray(ids, dtype=np.int32) for kind, ids in kinds.items()}
        self._idf = {token: math.log(1 + size / len(ids)) for token, ids in postings.items()}
        self._norms = np.array([self._weight_of(f) for f in self._features], dtype=float)
        self._titles = np.array([f.title for f in self._features], dtype=object)
        self._model_count = np.array([len(f.models) for f in self._features], dtype=np.int32)
        self._codes: dict[str | None, int] = {None: -1}
        self._brand = self._encode(f.given_brand for f in self._features)
        self._category = self._encode(f.category for f in self._features)
        self._department = self._encode(f.department for f in self._features)
        self._last: tuple[ItemQuery, _Features] | None = None

    def _encode(self, keys: Iterable[str | None]) -> np.ndarray:
        return np.array([self._codes.setdefault(k, len(self._codes)) for k in keys], dtype=np.int32)

    def __len__(self) -> int:
        return len(self.comps)

    def keys(self, position: int) -> CompKeys:
        """How matching read the comp at `position`."""
        return CompKeys.of(self._features[position])

    def query_keys(self, query: ItemQuery) -> CompKeys:
        """How matching reads `query` (its brand found in the title when not given)."""
        return CompKeys.of(self._read(query))

    def _read(self, query: ItemQuery) -> _Features:
        # The valuation asks for a query's candidates and then its keys: read it once.
        last = self._last
        if last is not None and last[0] is query:
            return last[1]
        features = _Features.of(query.title, query.description, query.brand, query.category, self.brands)
        self._last = (query, features)
        return features

    def candidates(self, query: ItemQuery, k: int = 30, min_similarity: float = 0.0) -> tuple[Match, ...]:
        """The k comps most similar to `query` (at least `min_similarity`), best first."""
        if not self.comps:
            return ()
        wanted = self._read(query)
        shortlist, shared = self._shortlist(wanted, max(2 * k, _SHORTLIST))
        if not len(shortlist):
            return ()
        titles = self._titles[shortlist].tolist()
        # Titles are processed once (default_process in normalise_title), so the scorers get none.
        fuzzy = (
            process.cdist([wanted.title], titles, scorer=fuzz.token_set_ratio, processor=None)[0]
            + process.cdist([wanted.title], titles, scorer=fuzz.token_sort_ratio, processor=None)[0]
        ) / 200.0
        # Rare words shared count for more than common ones ("window motor" vs "door panel" of a car).
        overlap = np.minimum(2 * shared / (self._weight_of(wanted) + self._norms[shortlist]), 1.0)
        similarity, model_match = self._similarity(
            wanted, shortlist, _FUZZY_SHARE * fuzzy + (1 - _FUZZY_SHARE) * overlap
        )
        passing = np.flatnonzero(similarity >= min_similarity)
        best = passing[np.lexsort((shortlist[passing], -similarity[passing]))][:k]
        return tuple(
            Match(self.comps[shortlist[i]], float(similarity[i]), bool(model_match[i]), int(shortlist[i]))
            for i in best.tolist()
        )

    def _similarity(
        self, wanted: _Features, positions: np.ndarray, text: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Similarity 0-1 from title scores and what model numbers, figures, brand and category say."""
        shared = np.zeros(len(positions), dtype=np.int32)
        for model in wanted.models:
            shared += self._member(positions, self._postings.get(f"m:{model}"))
        # A platform code both name ("M18" drill vs "M18" battery) is no match when each has
        # another model number the other lacks.
        conflict = (self._model_count[positions] > shared) & (len(wanted.models) > shared)
        model_match = (shared > 0) & ~conflict
        similarity = np.where(model_match, MODEL_FLOOR + (1 - MODEL_FLOOR) * text, MODEL_FLOOR * text)
        if wanted.models:
            similarity[~model_match & (self._model_count[positions] > 0)] *= _OTHER_MODEL
        for kind, values in wanted.specs.items():
            other = self._member(positions, self._kinds.get(kind))
            for token in values:
                other &= ~self._member(positions, self._postings.get(token))
            if kind == "":
                # Bare numbers (years, sizes) say little once a model number matched.
                other &= ~model_match
            similarity[other] *= _OTHER_SPEC
        if wanted.given_brand:
            brands = self._brand[positions]
            similarity[(brands >= 0) & (brands != self._codes.get(wanted.given_brand, -2))] *= _OTHER_BRAND
        if wanted.category:
            categories = self._category[positions]
            departments = self._department[positions]
            other = (categories >= 0) & (categories != self._codes.get(wanted.category, -2))
            same_department = departments == self._codes.get(wanted.department, -2)
            similarity[other & same_department] *= _OTHER_CATEGORY
            similarity[other & ~same_department] *= _OTHER_DEPARTMENT
        return similarity, model_match

    @staticmethod
    def _member(positions: np.ndarray, posting: np.ndarray | None) -> np.ndarray:
        """Which of `positions` are in the ascending `posting`."""
        if posting is None:
            return np.zeros(len(positions), dtype=bool)
        at = np.minimum(np.searchsorted(posting, positions), len(posting) - 1)
        return np.asarray(posting[at] == positions)

    def _weight_of(self, features: _Features) -> float:
        """The total weight of a title's tokens, those unknown to the pool at the rarest weight."""
        top = math.log(1 + max(len(self.comps), 1))
        return sum(weight * self._idf.get(token, top) for token, weight in features.weighted)

    def _shortlist(self, wanted: _Features, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the comps sharing the most token weight with `wanted`, and that weight."""
        lists, weights = [], []
        for token, weight in wanted.weighted:
            ids = self._postings.get(token)
            if ids is not None:
                lists.append(ids)
                weights.append(weight * self._idf[token])
        if not lists:
            return np.empty(0, dtype=np.int32), np.empty(0)
        scores = np.bincount(
            np.concatenate(lists), np.repeat(weights, [len(ids) for ids in lists]), minlength=len(self.comps)
        )
        hits = np.flatnonzero(scores > 0)
        if len(hits) > size:
            hits = hits[np.argpartition(-scores[hits], size)[:size]]
        return hits, scores[hits]


def _weighted_tokens(
    tokens: Sequence[str], models: Sequence[str], brand: str | None, category: str | None
) -> tuple[tuple[str, float], ...]:
    """A title's index tokens and their weights before IDF (model numbers stand for their word)."""
    weighted = dict.fromkeys(tokens, 1.0)
    for model in models:
        weighted.pop(model.lower(), None)
        weighted[f"m:{model}"] = _MODEL_WEIGHT
    if brand:
        weighted[f"b:{brand}"] = _BRAND_WEIGHT
    if category:
        weighted[f"c:{category}"] = _CATEGORY_WEIGHT
    return tuple(weighted.items())
