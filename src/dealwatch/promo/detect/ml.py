"""The `ml` tier: a scikit-learn classifier over the page's candidate banner lines (optional `ml` extra).

Each candidate line (regions.py) becomes a sparse vector: word and character n-grams of its text
(character n-grams carry languages the keyword lexicon does not know), words of the lines beside it,
where it sits (announcement bar, hero, modal, alt text, ...) and what the keyword rules made of it.
A logistic regression scores every line; the page's score is its best line's, mapped to a calibrated
probability. A second model names the promotion type. The model is trained by
`dealwatch train detect` (training.py) and stored as numpy arrays (no pickle) beside a JSON file
with its version, metrics and the calibration maps of every tier.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.promo.detect import lexicon
from dealwatch.promo.detect.base import PROMOTION_TYPES, Detection, Page
from dealwatch.promo.detect.calibration import Calibrator, promo_probability
from dealwatch.promo.detect.regions import MAX_LINE, Candidate, promising, scan
from dealwatch.promo.detect.rules import judge_line, rules_verdict
from dealwatch.promo.detect.vocabulary import word_groups

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

SHIPPED_MODEL = Path(__file__).with_name("model") / "detect.json"
_MAX_CANDIDATES = 150
_WORD = re.compile(r"\w+|[%$€£¥]")
_SHAPES = (
    ("percent", re.compile(r"\d\s?[%％]")),
    ("money", re.compile(r"[$€£¥円]\s?\d|\d\s?(?:€|eur|kr|zł|円|¥)", re.IGNORECASE)),
    ("code", re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,12}\b")),
)


def ml_candidates(page: Page) -> list[Candidate]:
    """The lines the model scores: every banner-region line, and body lines the lexicon finds promising.

    Lines addressed to a machine reader that the scan did not taint are left out too: such text is
    never evidence (LABELS.md), and the few the model would see in training teach it nothing.
    """
    lines = [
        c
        for c in promising(scan(page).candidates)
        if len(c.text) <= MAX_LINE and "machine" not in word_groups(c.text)
    ]
    return lines[:_MAX_CANDIDATES]


class Featurizer:
    """Candidate lines -> sparse feature rows, hashed (no vocabulary to store; any language).

    Every feature is a named token with a weight: words and word pairs of the line, its character
    n-grams (which carry languages no word list knows), words of the neighbouring lines, and what
    the line is (where it sits, what the keyword rules made of it, which vocabulary groups it uses).
    Each text block is scaled to unit length. A line's hashed row is kept: a store's lines repeat
    from one day to the next, so most lines are hashed once.
    """

    width = 2**18
    _KEEP = 32768  # rows kept before the cache starts over

    def __init__(self) -> None:
        from sklearn.feature_extraction import FeatureHasher

        self.hasher = FeatureHasher(n_features=self.width, input_type="pair", alternate_sign=False)
        self._rows: dict[Candidate, tuple[np.ndarray, np.ndarray]] = {}

    def transform(self, lines: list[Candidate]) -> csr_matrix:
        """One row per line."""
        import numpy as np
        from scipy.sparse import csr_matrix

        new = list(dict.fromkeys(line for line in lines if line not in self._rows))
        if new:
            if len(self._rows) + len(new) > self._KEEP:
                self._rows.clear()  # this page's lines that were kept are gone too: hash them all
                new = list(dict.fromkeys(lines))
            hashed = self.hasher.transform(line_features(line) for line in new)
            for i, line in enumerate(new):
                row = slice(hashed.indptr[i], hashed.indptr[i + 1])
                self._rows[line] = (hashed.indices[row], hashed.data[row])
        rows = [self._rows[line] for line in lines]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(columns) for columns, _ in rows], out=indptr[1:])
        columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int32)
        values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        return csr_matrix((values, columns, indptr), shape=(len(rows), self.width))


def line_features(line: Candidate) -> list[tuple[str, float]]:
    """The named, weighted features of one candidate line."""
    return [*_text_features(line.text, f"{line.before} {line.after}"), *_meta(line)]


@lru_cache(maxsize=32768)  # a store's lines repeat from one day to the next
def _text_features(text: str, context: str) -> tuple[tuple[str, float], ...]:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    features = _block("w:", [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))])
    features += _block("c:", [gram for word in lowered.split() for gram in _char_grams(word)])
    features += _block("x:", _WORD.findall(context.lower()))
    return tuple(features)


def _block(prefix: str, tokens: list[str]) -> list[tuple[str, float]]:
    if not tokens:
        return []
    weight = 1.0 / math.sqrt(len(tokens))
    return [(prefix + token, weight) for token in tokens]


@lru_cache(maxsize=65536)  # words recur across lines far more than lines do
def _char_grams(word: str) -> tuple[str, ...]:
    """The word's character 2-, 3- and 4-grams, the word padded with a space on each side."""
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1))


def _meta(line: Candidate) -> list[tuple[str, float]]:
    hit = judge_line(line)
    text = line.text
    letters = list(filter(str.isalpha, text))
    size = "short" if len(text) < 20 else "medium" if len(text) < 80 else "long"
    meta = [(f"m:kind={line.kind}", 1.0), (f"m:len={size}", 1.0), ("m:order", min(line.order, 60) / 60)]
    if line.link:
        meta += [("m:link", 1.0), (f"m:link_len={size}", 1.0)]
    if letters:
        meta.append(("m:upper", sum(map(str.isupper, letters)) / len(letters)))
    if hit is not None and hit.judgement.promotional:
        meta += [
            ("m:rules=promo", 1.0),
            ("m:rules_score", hit.score),
            (f"m:type={hit.judgement.promotion_type}", 1.0),
        ]
    elif hit is not None and hit.judgement.keyword != "none":
        meta.append(("m:rules=dismissed", 1.0))
    meta += [(f"m:{name}", 1.0) for name, rx in _SHAPES if rx.search(text)]
    groups = sorted(word_groups(text))
    meta += [(f"m:words={group}", 1.0) for group in groups]
    meta += [(f"m:words={a}+{b}", 1.0) for a, b in itertools.combinations(groups, 2)]
    return meta


@dataclass(frozen=True)
class LineModel:
    """The trained weights: promotional-line scorer and promotion-type classifier."""

    coef: np.ndarray  # held as float64 (see __post_init__), stored as float32
    intercept: float
    type_coef: np.ndarray  # (types, features)
    type_intercept: np.ndarray
    types: tuple[str, ...]

    def __post_init__(self) -> None:
        import numpy as np

        # The rows are float64: scipy would copy a float32 vector of 2**18 weights to float64 on every
        # page. The copy is exact, so the scores are the same.
        object.__setattr__(self, "coef", np.asarray(self.coef, dtype=np.float64))

    def scores(self, rows: csr_matrix) -> np.ndarray:
        """P(the line announces a site-wide promotion), per row."""
        import numpy as np

        return np.asarray(1.0 / (1.0 + np.exp(-(rows @ self.coef + self.intercept))))

    def promotion_type(self, rows: csr_matrix, line: int) -> str:
        """The most likely promotion type of one line (row `line` of `rows`)."""
        row = slice(
            rows.indptr[line], rows.indptr[line + 1]
        )  # its columns only: slicing a csr_matrix is slow
        logits = self.type_coef[:, rows.indices[row]] @ rows.data[row] + self.type_intercept
        return self.types[int(logits.argmax())]

    def save(self, path: Path) -> None:
        """Write the weights as a compressed numpy archive (sparse: only features seen in training)."""
        import numpy as np

        nonzero = np.flatnonzero(self.coef)
        type_rows, type_cols = np.nonzero(self.type_coef)
        np.savez_compressed(
            path,
            coef_index=nonzero.astype(np.int32),
            coef_value=self.coef[nonzero].astype(np.float32),
            width=np.array([self.coef.shape[0]]),
            intercept=np.array([self.intercept]),
            type_row=type_rows.astype(np.int16),
            type_col=type_cols.astype(np.int32),
            type_value=self.type_coef[type_rows, type_cols].astype(np.float32),
            type_intercept=self.type_intercept.astype(np.float32),
            types=np.array(self.types),
        )

    @classmethod
    def load(cls, path: Path) -> LineModel:
        """Read weights written by `save` (no pickle is ever loaded)."""
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            width = int(data["width"][0])
            coef = np.zeros(width, dtype=np.float32)
            coef[data["coef_index"]] = data["coef_value"]
            types = tuple(str(t) for t in data["types"])
            type_coef = np.zeros((len(types), width), dtype=np.float32)
            type_coef[data["type_row"], data["type_col"]] = data["type_value"]
            return cls(coef, float(data["intercept"][0]), type_coef, data["type_intercept"], types)


PAGE_FEATURES = ("best_line", "second_line", "lines_over_half", "rules_p", "rules_positive", "injection")


@dataclass(frozen=True)
class PageModel:
    """P(the page has a site-wide sale) from its line scores and the rules tier's verdict (stacking)."""

    coef: tuple[float, ...]
    intercept: float

    def __call__(self, features: list[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.coef, features, strict=True))
        # Never certain: a held-out set of a few hundred pages cannot vouch for odds beyond 999 to 1.
        return min(max(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 0.001), 0.999)

    def to_json(self) -> dict[str, Any]:
        """The weights as JSON, with the feature names they go with."""
        return {
            "features": list(PAGE_FEATURES),
            "coef": [round(c, 6) for c in self.coef],
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageModel:
        """The model from `to_json`'s output; refuses weights for other features."""
        if tuple(data.get("features", ())) != PAGE_FEATURES:
            raise ConfigError("detection model: page features differ from this version's (retrain)")
        return cls(tuple(float(c) for c in data["coef"]), float(data["intercept"]))


def page_features(scores: np.ndarray, rules: Detection, injection: bool) -> list[float]:
    """The stacker's inputs for one page: its two best line scores (as logits) and the rules' verdict."""
    ordered = [*sorted((float(s) for s in scores), reverse=True), 0.0, 0.0]
    return [
        _logit(ordered[0]),
        _logit(ordered[1]),
        float(min(3, sum(1 for s in scores if s >= 0.5))),
        promo_probability(rules) if rules.decided else 0.5,
        1.0 if rules.has_promotion else 0.0,
        1.0 if injection else 0.0,
    ]


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class DetectModel:
    """A trained detection model: line model, page stacker, and the other tiers' calibration."""

    lines: LineModel
    page: PageModel | None  # None while training: the page's score is then its best line's
    calibration: dict[str, Calibrator]  # for the cascade: structured, rules
    info: dict[str, Any]  # version, trained_at, data, metrics

    @classmethod
    def load(cls, path: Path) -> DetectModel:
        """Read DIR/name.json and its weights DIR/name.npz."""
        info = read_model_info(path)
        weights = path.with_suffix(".npz")
        if not weights.is_file():
            raise ConfigError(
                f"{weights}: the model's weights file is missing (rebuild with `dealwatch train detect`)"
            )
        page = PageModel.from_json(info["page_model"]) if "page_model" in info else None
        return cls(LineModel.load(weights), page, calibrators(info), info)


def read_model_info(path: Path) -> dict[str, Any]:
    """The model's JSON file: version, metrics and calibration maps (no scikit-learn needed)."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the detection model ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: the detection model file is not valid JSON ({exc.msg})") from exc
    if not isinstance(info, dict) or "calibration" not in info:
        raise ConfigError(f"{path}: not a dealwatch detection model (no 'calibration' key)")
    return info


def calibrators(info: dict[str, Any]) -> dict[str, Calibrator]:
    """The per-tier calibration maps stored in a model's JSON."""
    return {tier: Calibrator.from_json(data) for tier, data in info["calibration"].items()}


class MlDetector:
    """The trained line classifier, judging a page by its most promotional candidate line."""

    name = "ml"

    def __init__(self, model: DetectModel) -> None:
        self.model = model
        self.featurizer = Featurizer()

    def detect(self, page: Page) -> Detection:
        """A calibrated verdict from the page's most promotional line."""
        found = scan(page)
        if not found.readable:
            return Detection(None, 0.0, self.name, evidence=(found.reason or "unreadable",))
        lines = ml_candidates(page)
        if not lines:
            return Detection(False, 0.5, self.name, evidence=("no candidate lines",))
        rows = self.featurizer.transform(lines)
        scores = self.model.lines.scores(rows)
        best = int(scores.argmax())
        if self.model.page is None:
            p = float(scores[best])
        else:
            p = self.model.page(page_features(scores, rules_verdict(page), found.injection))
        line = lines[best]
        version = f"model:{self.model.info.get('version', '?')}"
        if p < 0.5:
            return Detection(False, round(1.0 - p, 4), self.name, evidence=(version, f"best:{line.where}"))
        kind = self.model.lines.promotion_type(rows, best)
        return Detection(
            True,
            round(p, 4),
            self.name,
            promotion_type=kind if kind in PROMOTION_TYPES else "other",
            promotion_text=line.quote,
            discount_pct=lexicon.discount_percent(line.quote),
            evidence=(line.where, version),
        )


def load_detector(path: Path | None) -> MlDetector:
    """The ml tier from a model file (the shipped one by default); NotConfigured when it cannot run here."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise NotConfigured("ml tier needs scikit-learn: pip install 'dealwatch[ml]'") from exc
    model_path = path or SHIPPED_MODEL
    if not model_path.is_file():
        raise NotConfigured(f"ml tier: no model at {model_path}; build one with `dealwatch train detect`")
    return MlDetector(DetectModel.load(model_path))
