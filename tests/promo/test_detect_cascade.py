"""The cascade: order, thresholds, fall-through, and the registry that builds it from settings."""

from __future__ import annotations

from datetime import date

import pytest

from dealwatch.core.errors import ConfigError
from dealwatch.promo.detect.base import Detection, Page
from dealwatch.promo.detect.calibration import Calibrator
from dealwatch.promo.detect.cascade import Cascade, build_cascade, detectors
from dealwatch.settings import Settings

PAGE = Page("https://shop.example/", "<html><body><p>hello</p></body></html>")


class FixedTier:
    """A tier that always gives the same verdict and counts its calls."""

    def __init__(self, name: str, has_promotion: bool | None, confidence: float) -> None:
        self.name = name
        self.verdict = Detection(has_promotion, confidence, name, evidence=(f"{name}-saw",))
        self.calls = 0

    def detect(self, page: Page) -> Detection:
        self.calls += 1
        return self.verdict


class BrokenTier:
    name = "broken"

    def detect(self, page: Page) -> Detection:
        raise RuntimeError("boom")


def test_first_sure_verdict_stops_the_cascade() -> None:
    first, second = FixedTier("a", True, 0.95), FixedTier("b", False, 0.99)
    result = Cascade([first, second], {"a": 0.9, "b": 0.9}).detect(PAGE)
    assert result.tier == "a"
    assert result.has_promotion is True
    assert second.calls == 0


def test_unsure_verdict_falls_through_to_the_next_tier() -> None:
    first, second = FixedTier("a", True, 0.6), FixedTier("b", False, 0.85)
    result = Cascade([first, second], {"a": 0.9, "b": 0.8}).detect(PAGE)
    assert result.tier == "b"
    assert first.calls == second.calls == 1
    assert "b-saw" in result.evidence
    assert "a/a-saw" in result.evidence


def test_when_nobody_is_sure_the_last_tier_that_decided_wins() -> None:
    tiers = [FixedTier("a", True, 0.7), FixedTier("b", False, 0.6), FixedTier("c", None, 0.0)]
    result = Cascade(tiers, {"a": 0.9, "b": 0.9, "c": 0.9}).detect(PAGE)
    assert result.tier == "b"
    assert result.has_promotion is False and result.ran == ("a", "b", "c")


def test_nothing_decided_is_undecided_with_tier_none() -> None:
    result = Cascade([FixedTier("a", None, 0.0)], {"a": 0.5}).detect(PAGE)
    assert result.has_promotion is None
    assert result.tier == "none"


def test_a_tier_without_threshold_never_stops_the_cascade() -> None:
    first, second = FixedTier("a", True, 0.99), FixedTier("b", True, 0.5)
    Cascade([first, second], {}).detect(PAGE)
    assert second.calls == 1


def test_a_crashing_tier_is_recorded_and_skipped() -> None:
    result = Cascade([BrokenTier(), FixedTier("b", False, 0.9)], {"b": 0.8}).detect(PAGE)
    assert result.tier == "b"
    assert "broken/error:RuntimeError" in result.evidence


def test_registry_knows_the_built_in_tiers() -> None:
    assert {"structured", "rules"} <= set(detectors.names())


def test_build_cascade_reads_tiers_and_thresholds_from_settings() -> None:
    settings = Settings(promo={"detect": {"tiers": ["structured", "rules", "llm", "review"]}})
    cascade = build_cascade(settings)
    assert cascade.names == ["structured", "rules", "review"]  # no LLM provider configured: llm drops out
    assert cascade.thresholds == settings.promo.detect.thresholds
    assert cascade.review_below == settings.promo.detect.review_below
    assert build_cascade(Settings(), ["rules"]).names == ["rules"]


def test_calibration_applies_before_the_threshold_and_cost_adds_up() -> None:
    overconfident = FixedTier("a", True, 0.99)
    overconfident.verdict = Detection(True, 0.99, "a", promotion_text="Sale", cost_usd=0.001)
    second = FixedTier("b", False, 0.97)
    halved = Calibrator((0.0, 1.0), (0.0, 0.6))  # tier a is right 60% of the time when it says 99%
    result = Cascade([overconfident, second], {"a": 0.9, "b": 0.9}, {"a": halved}).detect(PAGE)
    assert second.calls == 1 and result.tier == "b"
    assert result.ran == ("a", "b") and result.cost_usd == pytest.approx(0.001)


def test_unsure_final_verdicts_are_marked_for_review() -> None:
    unsure = Cascade([FixedTier("a", True, 0.7)], {"a": 0.9}, review_below=0.8).detect(PAGE)
    assert unsure.review and unsure.has_promotion is True
    sure = Cascade([FixedTier("a", True, 0.85)], {"a": 0.9}, review_below=0.8).detect(PAGE)
    assert not sure.review
    undecided = Cascade([FixedTier("a", None, 0.0)], {}, review_below=0.8).detect(PAGE)
    assert undecided.review and undecided.tier == "none"
    assert not Cascade([FixedTier("a", True, 0.1)], {}).detect(PAGE).review  # no review tier: never queued


def test_unknown_tier_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="nonsense"):
        build_cascade(Settings(), ["rules", "nonsense"])
    with pytest.raises(ConfigError):
        build_cascade(Settings(), [])


def test_built_cascade_end_to_end() -> None:
    cascade = build_cascade(Settings(), ["structured", "rules"])
    event = (
        '<script type="application/ld+json">{"@type":"SaleEvent","name":"Winter Sale",'
        '"startDate":"2025-01-02","endDate":"2025-01-31"}</script>'
    )
    banner = '<div class="announcement-bar">Winter Sale: up to 60% off</div>'
    with_event = Page(
        "https://s.example/", f"<html><head>{event}</head><body>{banner}</body></html>", day=date(2025, 1, 10)
    )
    assert cascade.detect(with_event).tier == "structured"
    banner_only = Page("https://s.example/", f"<html><body>{banner}<p>Welcome to our shop</p></body></html>")
    result = cascade.detect(banner_only)
    assert (result.tier, result.has_promotion, result.promotion_type) == ("rules", True, "seasonal_sale")
