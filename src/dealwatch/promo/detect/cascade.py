"""The detection cascade (ask tiers in order, cheapest first, until one is sure enough) and its registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import structlog

from dealwatch.core.clock import Clock, SystemClock
from dealwatch.core.errors import ConfigError
from dealwatch.core.registry import Registry
from dealwatch.llm.base import LLMClient
from dealwatch.promo.detect.base import Detection, Detector, Page
from dealwatch.promo.detect.calibration import Calibrator, calibrated
from dealwatch.promo.detect.rules import RulesDetector
from dealwatch.promo.detect.structured import StructuredDetector
from dealwatch.settings import Settings

log = structlog.get_logger(__name__)

detectors = Registry[Detector]("detectors")
LLMFactory = Callable[[], LLMClient]
REVIEW = "review"  # not a detector: the queue unsure verdicts go to (see promo/review.py)


class Cascade:
    """Runs detection tiers in order; the first decided verdict at or above its tier's threshold wins.

    Each tier's confidence is first calibrated (when the model file holds a map for it). When no
    tier is sure enough, the last tier that decided wins: later tiers read more (the ml tier weighs
    the rules' findings, the LLM reads the candidate lines); when no tier decides, the result is
    undecided with tier "none". With `review_below` set, a final verdict less sure than that is
    marked for human review. A tier without a threshold never stops the cascade.
    """

    def __init__(
        self,
        tiers: Sequence[Detector],
        thresholds: Mapping[str, float],
        calibration: Mapping[str, Calibrator] | None = None,
        review_below: float | None = None,
    ) -> None:
        self.tiers = list(tiers)
        self.thresholds = dict(thresholds)
        self.calibration = dict(calibration or {})
        self.review_below = review_below

    @property
    def names(self) -> list[str]:
        """The tier names, in order (with the review queue last when on)."""
        return [tier.name for tier in self.tiers] + ([REVIEW] if self.review_below is not None else [])

    def close(self) -> None:
        """Close the tiers that hold connections (the llm tier's client)."""
        for tier in self.tiers:
            close = getattr(tier, "close", None)
            if close is not None:
                close()

    def detect(self, page: Page) -> Detection:
        """Judge one page with as few tiers as needed."""
        ran: list[Detection] = []
        for tier in self.tiers:
            detection = calibrated(_run(tier, page), self.calibration.get(tier.name))
            ran.append(detection)
            if detection.decided and detection.confidence >= self.thresholds.get(tier.name, float("inf")):
                return self._final(detection, ran)
        decided = [d for d in ran if d.decided]
        if decided:
            return self._final(decided[-1], ran)
        return self._final(Detection(None, 0.0, "none"), ran)

    def _final(self, winner: Detection, ran: list[Detection]) -> Detection:
        unsure = self.review_below is not None and (
            not winner.decided or winner.confidence < self.review_below
        )
        return replace(
            winner,
            evidence=_merged_evidence(winner, ran),
            cost_usd=round(sum(d.cost_usd for d in ran), 6),
            review=unsure,
            ran=tuple(d.tier for d in ran),
        )


def _run(tier: Detector, page: Page) -> Detection:
    """One tier's verdict; a tier that crashes on a page is recorded as undecided, never fatal."""
    try:
        return tier.detect(page)
    except Exception as exc:  # one odd page must not stop a day's run
        log.warning("detection tier failed", tier=tier.name, url=page.url, error=repr(exc))
        return Detection(None, 0.0, tier.name, evidence=(f"error:{type(exc).__name__}",))


def _merged_evidence(winner: Detection, ran: list[Detection]) -> tuple[str, ...]:
    """The winner's evidence first, then what the other tiers saw, prefixed with their tier name."""
    merged = list(winner.evidence)
    for detection in ran:
        if detection is not winner:
            merged += [f"{detection.tier}/{item}" for item in detection.evidence]
    return tuple(dict.fromkeys(merged))


@detectors.register("structured")
def build_structured(settings: Settings, clock: Clock, new_llm: LLMFactory | None) -> Detector:
    """The schema.org (JSON-LD, microdata) tier."""
    return StructuredDetector()


@detectors.register("rules")
def build_rules(settings: Settings, clock: Clock, new_llm: LLMFactory | None) -> Detector:
    """The position-aware keyword rules tier."""
    return RulesDetector()


@detectors.register("ml")
def build_ml(settings: Settings, clock: Clock, new_llm: LLMFactory | None) -> Detector:
    """The trained line classifier (scikit-learn, `ml` extra); NotConfigured without it or a model."""
    from dealwatch.promo.detect.ml import load_detector

    return load_detector(model_path(settings))


@detectors.register("llm")
def build_llm_tier(settings: Settings, clock: Clock, new_llm: LLMFactory | None) -> Detector:
    """The LLM tier over a client from `new_llm` (the product's, sharing its budget), else over one
    for the configured provider; NotConfigured when none is configured. The tier runs its client on
    a loop of its own, so it gets a client of its own."""
    from dealwatch.llm.factory import build_llm
    from dealwatch.promo.detect.llm_tier import LlmDetector

    client = new_llm() if new_llm is not None else build_llm(settings.llm, clock)
    return LlmDetector(client, timeout=settings.llm.timeout * 3)


def model_path(settings: Settings) -> Path:
    """The detection model file: `promo.detect.model`, or the one shipped with dealwatch."""
    from dealwatch.promo.detect.ml import SHIPPED_MODEL

    return settings.promo.detect.model or SHIPPED_MODEL


def _calibration(settings: Settings) -> dict[str, Calibrator]:
    """The calibration maps stored with the detection model; none when there is no model file."""
    from dealwatch.promo.detect.ml import calibrators, read_model_info

    path = model_path(settings)
    if not path.is_file():
        log.info("no detection model file: tier confidences are uncalibrated", path=str(path))
        return {}
    return calibrators(read_model_info(path))


def build_cascade(
    settings: Settings,
    tiers: Sequence[str] | None = None,
    clock: Clock | None = None,
    new_llm: LLMFactory | None = None,
) -> Cascade:
    """The cascade of `settings.promo.detect.tiers` (or of `tiers`), with thresholds and calibration.

    Each tier is built by its registered factory from (settings, clock, new_llm); `new_llm` makes
    LLM clients that share the product's budget and alert (None: the llm tier builds a standalone one).
    """
    config = settings.promo.detect
    names = list(config.tiers if tiers is None else tiers)
    review = REVIEW in names
    names = [name for name in names if name != REVIEW]
    if not names:
        raise ConfigError("promo.detect.tiers: at least one detection tier is needed")
    built = detectors.build_many(names, settings, clock or SystemClock(), new_llm)
    if not built:
        raise ConfigError(f"promo.detect.tiers: none of {', '.join(names)} could be built here")
    return Cascade(
        [detector for _, detector in built],
        config.thresholds,
        _calibration(settings),
        config.review_below if review else None,
    )
