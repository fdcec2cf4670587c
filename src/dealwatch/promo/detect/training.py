"""`dealwatch train detect`: fit the ml tier and calibrate every tier from labelled pages.

Labelled pages come as directories in the `eval detect` format (labels.jsonl + pages): the corpus
built by `dealwatch corpus detect`, reviews exported by `dealwatch review export`, or your own.
One page in five (by a hash of its name, so the split is stable) is kept out of fitting and used to
calibrate; test directories, if given, are only ever scored. Lines are labelled from the page label:
on a page without a sale every candidate line is negative; on a page with one, the line holding the
labelled promotion text is positive (without a labelled text, the rules tier's line is taken).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from dealwatch.core.clock import Clock
from dealwatch.core.errors import InvalidInput
from dealwatch.eval.detect import LabelledPage, evaluate_detection, read_labels
from dealwatch.promo.detect.base import Detector, Page, StoreHints
from dealwatch.promo.detect.calibration import Calibrator, fit_isotonic, promo_probability
from dealwatch.promo.detect.cascade import Cascade
from dealwatch.promo.detect.ml import (
    DetectModel,
    Featurizer,
    LineModel,
    MlDetector,
    PageModel,
    ml_candidates,
    page_features,
)
from dealwatch.promo.detect.regions import Candidate, scan
from dealwatch.promo.detect.rules import RulesDetector, judge_line, rules_verdict
from dealwatch.promo.detect.structured import StructuredDetector

_CALIBRATION_SHARE = 5  # one page in five
_MIN_TO_CALIBRATE = 30


@dataclass(frozen=True)
class _Example:
    label: LabelledPage
    page: Page
    calibrate: bool


def train_detect(
    datasets: Sequence[Path],
    out: Path,
    clock: Clock,
    *,
    tests: Sequence[Path] = (),
    thresholds: Mapping[str, float] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Fit, calibrate, write OUT (.json + .npz) and return the model's info (metrics included)."""
    if not datasets:
        raise InvalidInput("train detect: give at least one labelled directory")
    examples = list(_examples(datasets))
    fit = [e for e in examples if not e.calibrate]
    held = [e for e in examples if e.calibrate]
    featurizer = Featurizer()
    with Progress(disable=not progress, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("reading candidate lines", total=len(fit))
        lines: list[Candidate] = []
        labels: list[bool] = []
        types: list[str] = []
        for example in fit:
            for line, positive in _labelled_lines(example):
                lines.append(line)
                labels.append(positive)
                types.append(example.label.promotion_type or "other" if positive else "")
            bar.advance(task)
    if sum(labels) < 5 or len(labels) - sum(labels) < 5:
        raise InvalidInput("train detect: need at least 5 promotional and 5 other lines to learn from")
    rows = featurizer.transform(lines)
    model = _fit(rows, labels, types)
    lines_only = MlDetector(DetectModel(model, None, {}, {}))
    page = _fit_page_model(held, lines_only)
    calibration = _calibrate(held)
    info: dict[str, Any] = {
        "version": "",
        "trained_at": clock.now().isoformat(),
        "data": [_fingerprint(path) for path in datasets],
        "pages": {"fit": len(fit), "calibration": len(held)},
        "lines": {"total": len(labels), "promotional": sum(labels)},
        "page_model": page.to_json(),
        "calibration": {tier: c.to_json() for tier, c in calibration.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out.with_suffix(".npz"))
    info["version"] = _digest(out.with_suffix(".npz").read_bytes())[:12]
    final = DetectModel(model, page, calibration, info)
    info["metrics"] = {path.name: _score(path, final, thresholds or {}) for path in tests}
    out.with_suffix(".json").write_text(
        json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return info


def _examples(datasets: Sequence[Path]) -> Iterator[_Example]:
    for directory in datasets:
        for label in read_labels(directory):
            try:
                html = (directory / label.file).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise InvalidInput(f"{directory / label.file}: cannot read ({exc.strerror or exc})") from exc
            page = Page(label.url, html, StoreHints(label.selectors), label.day)
            held = int(_digest(f"{directory.name}/{label.file}".encode())[:8], 16) % _CALIBRATION_SHARE == 0
            yield _Example(label, page, held)


def _labelled_lines(example: _Example) -> Iterator[tuple[Candidate, bool]]:
    """The page's candidate lines with their labels; lines that cannot be labelled are left out."""
    lines = ml_candidates(example.page)
    if not example.label.has_promotion:
        yield from ((line, False) for line in lines)
        return
    wanted = _normal(example.label.promotion_text or "")
    if wanted:
        matched = [line for line in lines if _matches(_normal(line.text), wanted)]
    else:
        hits = [
            (hit.score, line) for line in lines if (hit := judge_line(line)) and hit.judgement.promotional
        ]
        matched = [max(hits, key=lambda pair: pair[0])[1]] if hits else []
    if not matched:
        return  # the labelled text is not among the candidates (a JavaScript-only banner): nothing to learn
    yield from ((line, line in matched) for line in lines)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _matches(line: str, wanted: str) -> bool:
    return len(line) >= 4 and (line in wanted or wanted in line)


def _fit(rows: Any, labels: list[bool], types: list[str]) -> LineModel:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    scorer = LogisticRegression(C=4.0, solver="liblinear", max_iter=2000, random_state=0)
    scorer.fit(rows, np.array(labels))
    positive = np.flatnonzero(np.array(labels))
    named = np.array(types)[positive]
    if len(set(named)) < 2:
        raise InvalidInput("train detect: promotional lines of at least two promotion types are needed")
    typer = LogisticRegression(C=4.0, max_iter=2000)
    typer.fit(rows[positive], named)
    return LineModel(
        coef=scorer.coef_[0].astype(np.float32),
        intercept=float(scorer.intercept_[0]),
        type_coef=typer.coef_.astype(np.float32),
        type_intercept=typer.intercept_.astype(np.float32),
        types=tuple(str(t) for t in typer.classes_),
    )


def _fit_page_model(held: list[_Example], ml: MlDetector) -> PageModel:
    """The stacker, fitted on held-out pages: line scores and the rules' verdict -> P(sale on the page)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for example in held:
        lines = ml_candidates(example.page)
        if not lines:
            continue
        scores = ml.model.lines.scores(ml.featurizer.transform(lines))
        rows.append(page_features(scores, rules_verdict(example.page), scan(example.page).injection))
        labels.append(example.label.has_promotion)
    if len(rows) < _MIN_TO_CALIBRATE or all(labels) or not any(labels):
        raise InvalidInput(
            f"train detect: need {_MIN_TO_CALIBRATE}+ held-out pages of both kinds to calibrate"
        )
    stacker = LogisticRegression(C=1.0, max_iter=1000).fit(np.array(rows), np.array(labels))
    return PageModel(tuple(float(c) for c in stacker.coef_[0]), float(stacker.intercept_[0]))


def _calibrate(held: list[_Example]) -> dict[str, Calibrator]:
    """Isotonic maps for the tiers before ml that decided enough held-out pages of both kinds."""
    raw: dict[str, list[tuple[float, bool]]] = {"structured": [], "rules": []}
    tiers: list[Detector] = [StructuredDetector(), RulesDetector()]
    for example in held:
        for tier in tiers:
            detection = tier.detect(example.page)
            if detection.decided:
                raw[tier.name].append((promo_probability(detection), example.label.has_promotion))
    fitted = {}
    for name, pairs in raw.items():
        labels = [label for _, label in pairs]
        if len(pairs) >= _MIN_TO_CALIBRATE and any(labels) and not all(labels):
            fitted[name] = fit_isotonic([score for score, _ in pairs], labels)
    return fitted


def _score(path: Path, model: DetectModel, thresholds: Mapping[str, float]) -> dict[str, Any]:
    """The structured ► rules ► ml cascade's metrics on a directory that was never trained on."""
    tiers: list[Detector] = [StructuredDetector(), RulesDetector(), MlDetector(model)]
    metrics = evaluate_detection(path, Cascade(tiers, thresholds, model.calibration))
    keep = ("n", "precision", "recall", "f1", "ece", "tier_share", "type_accuracy", "pages_per_second")
    return {key: metrics[key] for key in keep}


def _fingerprint(directory: Path) -> dict[str, Any]:
    """Name, page count and content hash of a labelled directory (what the model was trained on)."""
    digest = hashlib.sha256()
    labels = read_labels(directory)
    digest.update((directory / "labels.jsonl").read_bytes())
    for label in labels:
        digest.update((directory / label.file).read_bytes())
    return {"name": directory.name, "pages": len(labels), "sha256": digest.hexdigest()}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
