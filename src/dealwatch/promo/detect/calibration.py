"""Calibration: map a tier's raw score to a probability that is right as often as it says.

A `Calibrator` is a monotone piecewise-linear map fitted by isotonic regression on labelled pages
that the tier was not trained on (`dealwatch train detect`). It is stored as plain numbers in the
model's JSON file and applied without numpy or scikit-learn, so every tier can be calibrated.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dealwatch.promo.detect.base import Detection


@dataclass(frozen=True, slots=True)
class Calibrator:
    """P(promotion) as a monotone function of a raw P(promotion), by linear interpolation."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __call__(self, raw: float) -> float:
        xs, ys = self.xs, self.ys
        if not xs:
            return raw
        if raw <= xs[0]:
            return ys[0]
        if raw >= xs[-1]:
            return ys[-1]
        i = bisect_right(xs, raw)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)

    def to_json(self) -> dict[str, list[float]]:
        """The map as JSON-ready lists."""
        return {"x": [round(x, 6) for x in self.xs], "y": [round(y, 6) for y in self.ys]}

    @classmethod
    def from_json(cls, data: dict[str, list[float]]) -> Calibrator:
        """The map from `to_json`'s output."""
        return cls(tuple(float(x) for x in data["x"]), tuple(float(y) for y in data["y"]))


def fit_isotonic(raw: Sequence[float], labels: Sequence[bool]) -> Calibrator:
    """Fit P(promotion | raw) by isotonic regression (scikit-learn, the `ml` extra)."""
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    model.fit(list(raw), [1.0 if label else 0.0 for label in labels])
    # Keep a little doubt at the ends: a few hundred pages cannot prove a probability of exactly 0 or 1.
    floor, ceiling = 0.5 / (len(raw) + 1), 1 - 0.5 / (len(raw) + 1)
    ys = tuple(min(max(float(y), floor), ceiling) for y in model.y_thresholds_)
    return Calibrator(tuple(float(x) for x in model.X_thresholds_), ys)


def promo_probability(detection: Detection) -> float:
    """The raw P(promotion) a decided verdict stands for."""
    return detection.confidence if detection.has_promotion else 1.0 - detection.confidence


def calibrated(detection: Detection, calibrator: Calibrator | None) -> Detection:
    """The verdict with its confidence calibrated; a positive the calibration doubts becomes a negative.

    A negative cannot turn positive here (there is no promotion text to report), so a doubted
    negative keeps its verdict at confidence 0.5 and the cascade asks the next tier.
    """
    if calibrator is None or not detection.decided:
        return detection
    p = calibrator(promo_probability(detection))
    if detection.has_promotion:
        if p >= 0.5:
            return replace(detection, confidence=round(p, 4))
        return Detection(
            False, round(1.0 - p, 4), detection.tier, evidence=(*detection.evidence, "calibration:doubted")
        )
    return replace(detection, confidence=round(max(1.0 - p, 0.5), 4))


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """ECE: the gap between stated confidence and accuracy, averaged over equal-width bins by their size."""
    if not confidences:
        return 0.0
    totals = [[0, 0.0, 0] for _ in range(bins)]  # count, sum of confidence, right
    for confidence, right in zip(confidences, correct, strict=True):
        slot = totals[min(int(confidence * bins), bins - 1)]
        slot[0] += 1
        slot[1] += confidence
        slot[2] += int(right)
    n = len(confidences)
    return round(sum(abs(total - right) for count, total, right in totals if count) / n, 4)
