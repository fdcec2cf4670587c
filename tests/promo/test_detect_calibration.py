"""Calibration maps, their application to verdicts, and the expected calibration error."""

from __future__ import annotations

import itertools
import random

import pytest

from dealwatch.promo.detect.base import Detection
from dealwatch.promo.detect.calibration import (
    Calibrator,
    calibrated,
    expected_calibration_error,
    fit_isotonic,
)


def test_calibrator_interpolates_and_clips() -> None:
    calibrator = Calibrator((0.2, 0.6, 1.0), (0.1, 0.5, 0.9))
    assert calibrator(0.0) == 0.1 and calibrator(1.0) == 0.9
    assert calibrator(0.4) == pytest.approx(0.3)
    assert Calibrator.from_json(calibrator.to_json()) == calibrator


def test_isotonic_fit_learns_the_real_hit_rate_of_an_overconfident_score() -> None:
    rng = random.Random(3)
    scores, labels = [], []
    for _ in range(4000):
        score = rng.random()
        scores.append(score)
        labels.append(rng.random() < score**2)  # says `score`, is right score² of the time
    calibrator = fit_isotonic(scores, labels)
    assert calibrator(0.5) == pytest.approx(0.25, abs=0.07)
    assert calibrator(0.9) == pytest.approx(0.81, abs=0.07)
    ys = calibrator.ys
    assert all(a <= b for a, b in itertools.pairwise(ys))
    assert ys[0] > 0 and ys[-1] < 1  # never a certainty from a finite sample


def test_a_positive_the_calibration_doubts_becomes_a_negative() -> None:
    doubtful = Calibrator((0.0, 1.0), (0.0, 0.4))
    positive = Detection(True, 0.9, "rules", promotion_type="other", promotion_text="Sale", evidence=("a",))
    flipped = calibrated(positive, doubtful)
    assert flipped.has_promotion is False and flipped.promotion_text is None
    assert flipped.confidence == pytest.approx(1 - 0.36)
    assert "calibration:doubted" in flipped.evidence


def test_a_doubted_negative_stays_negative_at_even_odds() -> None:
    hopeful = Calibrator((0.0, 1.0), (0.7, 0.9))
    assert calibrated(Detection(False, 0.9, "rules"), hopeful).confidence == 0.5
    assert calibrated(Detection(None, 0.0, "rules"), hopeful).has_promotion is None


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([], []) == 0.0
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5) == pytest.approx(0.4)
    mixed = expected_calibration_error([0.95, 0.95, 0.55, 0.55], [True, True, True, False])
    assert mixed == pytest.approx((2 * 0.05 + 2 * 0.05) / 4)
