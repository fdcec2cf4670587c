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

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.promo.detect import lexicon
from dealwatch.promo.detect.base import PROMOTION_TYPES, Detection, Page
from dealwatch.promo.detect.calibration import Calibrator
from dealwatch.promo.detect.regions import KINDS, MAX_LINE, Candidate, scan
from dealwatch.promo.detect.rules import judge_line

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

SHIPPED_MODEL = Path(__file__).with_name("model") / "detect.json"
_MAX_CANDIDATES = 150
_CODE = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,12}\b")
_MONEY = re.compile(r"[$€£¥円]\s?\d|\d\s?(?:€|eur|kr|zł|円|¥)", re.IGNORECASE)
_PERCENT = re.compile(r"\d\s?%")
_META = (
    *(f"kind:{kind}" for kind in KINDS),
    "rules:score",
    "rules:promotional",
    "rules:dismissed",
    "has:percent",
    "has:money",
    "has:code",
    "len:short",
    "len:medium",
    "len:long",
    "order",
    "upper",
)


def ml_candidates(page: Page) -> list[Candidate]:
    """The lines the model scores: every banner-region line, and body lines the lexicon finds promising."""
    lines = [
        c
        for c in scan(page).candidates
        if len(c.text) <= MAX_LINE and (c.kind != "body" or lexicon.might_promote(c.text))
    ]
    return lines[:_MAX_CANDIDATES]


class Featurizer:
    """Candidate lines -> sparse feature rows (hashing: no vocabulary to store, any language)."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        common: dict[str, Any] = {"alternate_sign": False, "norm": "l2", "dtype": _float32()}
        self.words = HashingVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            n_features=2**17,
            token_pattern=r"(?u)\b\w+\b|[%$€£¥]",
            **common,
        )
        self.chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2**17, **common)
        self.context = HashingVectorizer(analyzer="word", n_features=2**15, **common)
        self.width = 2**17 + 2**17 + 2**15 + len(_META)

    def transform(self, lines: list[Candidate]) -> csr_matrix:
        """One row per line."""
        from scipy.sparse import csr_matrix, hstack

        texts = [line.text for line in lines]
        context = [f"{line.before} {line.after}" for line in lines]
        meta = csr_matrix([_meta(line) for line in lines], dtype=_float32())
        matrix = hstack(
            [self.words.transform(texts), self.chars.transform(texts), self.context.transform(context), meta],
            format="csr",
        )
        return matrix


def _float32() -> Any:
    import numpy as np

    return np.float32


def _meta(line: Candidate) -> list[float]:
    hit = judge_line(line)
    text = line.text
    letters = [ch for ch in text if ch.isalpha()]
    values = [1.0 if line.kind == kind else 0.0 for kind in KINDS]
    values += [
        hit.score if hit is not None and hit.judgement.promotional else 0.0,
        1.0 if hit is not None and hit.judgement.promotional else 0.0,
        1.0 if hit is not None and not hit.judgement.promotional and hit.judgement.keyword != "none" else 0.0,
        1.0 if _PERCENT.search(text) else 0.0,
        1.0 if _MONEY.search(text) else 0.0,
        1.0 if _CODE.search(text) else 0.0,
        1.0 if len(text) < 20 else 0.0,
        1.0 if 20 <= len(text) < 80 else 0.0,
        1.0 if len(text) >= 80 else 0.0,
        min(line.order, 60) / 60,
        sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0,
    ]
    return values


@dataclass(frozen=True)
class LineModel:
    """The trained weights: promotional-line scorer and promotion-type classifier."""

    coef: np.ndarray
    intercept: float
    type_coef: np.ndarray  # (types, features)
    type_intercept: np.ndarray
    types: tuple[str, ...]

    def scores(self, rows: csr_matrix) -> np.ndarray:
        """P(the line announces a site-wide promotion), per row."""
        import numpy as np

        return np.asarray(1.0 / (1.0 + np.exp(-(rows @ self.coef + self.intercept))))

    def promotion_type(self, row: csr_matrix) -> str:
        """The most likely promotion type of one line."""
        logits = row @ self.type_coef.T + self.type_intercept
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


@dataclass(frozen=True)
class DetectModel:
    """A trained detection model: the line model, its page calibration, and every tier's calibration."""

    lines: LineModel
    calibration: dict[str, Calibrator]
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
        return cls(LineModel.load(weights), calibrators(info), info)


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
        """A verdict with a raw score; the cascade applies the model's calibration."""
        found = scan(page)
        if not found.readable:
            return Detection(None, 0.0, self.name, evidence=(found.reason or "unreadable",))
        lines = ml_candidates(page)
        if not lines:
            return Detection(False, 0.5, self.name, evidence=("no candidate lines",))
        rows = self.featurizer.transform(lines)
        scores = self.model.lines.scores(rows)
        best = int(scores.argmax())
        raw = float(scores[best])
        line = lines[best]
        version = f"model:{self.model.info.get('version', '?')}"
        if raw < 0.5:
            return Detection(False, round(1.0 - raw, 4), self.name, evidence=(version, f"best:{line.where}"))
        kind = self.model.lines.promotion_type(rows[best])
        return Detection(
            True,
            round(raw, 4),
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
