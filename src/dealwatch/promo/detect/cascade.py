"""The detection cascade (ask tiers in order, cheapest first, until one is sure enough) and its registry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import structlog

from dealwatch.core.errors import ConfigError
from dealwatch.core.registry import Registry
from dealwatch.promo.detect.base import Detection, Detector, Page
from dealwatch.promo.detect.rules import RulesDetector
from dealwatch.promo.detect.structured import StructuredDetector
from dealwatch.settings import Settings

log = structlog.get_logger(__name__)

detectors = Registry[Detector]("detectors")


class Cascade:
    """Runs detection tiers in order; the first decided verdict at or above its tier's threshold wins.

    When no tier is sure enough, the most confident decided verdict wins; when no tier decides,
    the result is undecided with tier "none". A tier without a threshold never stops the cascade.
    """

    def __init__(self, tiers: Sequence[Detector], thresholds: Mapping[str, float]) -> None:
        self.tiers = list(tiers)
        self.thresholds = dict(thresholds)

    @property
    def names(self) -> list[str]:
        """The tier names, in order."""
        return [tier.name for tier in self.tiers]

    def detect(self, page: Page) -> Detection:
        """Judge one page with as few tiers as needed."""
        ran: list[Detection] = []
        for tier in self.tiers:
            detection = _run(tier, page)
            ran.append(detection)
            if detection.decided and detection.confidence >= self.thresholds.get(tier.name, float("inf")):
                return _with_evidence(detection, ran)
        decided = [d for d in ran if d.decided]
        if decided:
            return _with_evidence(max(decided, key=lambda d: d.confidence), ran)
        return Detection(None, 0.0, "none", evidence=_merged_evidence(None, ran))


def _run(tier: Detector, page: Page) -> Detection:
    """One tier's verdict; a tier that crashes on a page is recorded as undecided, never fatal."""
    try:
        return tier.detect(page)
    except Exception as exc:  # one odd page must not stop a day's run
        log.warning("detection tier failed", tier=tier.name, url=page.url, error=repr(exc))
        return Detection(None, 0.0, tier.name, evidence=(f"error:{type(exc).__name__}",))


def _merged_evidence(winner: Detection | None, ran: list[Detection]) -> tuple[str, ...]:
    """The winner's evidence first, then what the other tiers saw, prefixed with their tier name."""
    merged = list(winner.evidence) if winner is not None else []
    for detection in ran:
        if detection is not winner:
            merged += [f"{detection.tier}/{item}" for item in detection.evidence]
    return tuple(dict.fromkeys(merged))


def _with_evidence(winner: Detection, ran: list[Detection]) -> Detection:
    return Detection(
        winner.has_promotion,
        winner.confidence,
        winner.tier,
        promotion_type=winner.promotion_type,
        promotion_text=winner.promotion_text,
        discount_pct=winner.discount_pct,
        evidence=_merged_evidence(winner, ran),
    )


@detectors.register("structured")
def build_structured(settings: Settings) -> Detector:
    """The schema.org (JSON-LD, microdata) tier."""
    return StructuredDetector()


@detectors.register("rules")
def build_rules(settings: Settings) -> Detector:
    """The position-aware keyword rules tier."""
    return RulesDetector()


def build_cascade(settings: Settings, tiers: Sequence[str] | None = None) -> Cascade:
    """The cascade of `settings.promo.detect.tiers` (or of `tiers`), with the configured thresholds."""
    config = settings.promo.detect
    names = list(config.tiers if tiers is None else tiers)
    if not names:
        raise ConfigError("promo.detect.tiers: at least one detection tier is needed")
    built = detectors.build_many(names, settings)
    if not built:
        raise ConfigError(f"promo.detect.tiers: none of {', '.join(names)} could be built here")
    return Cascade([detector for _, detector in built], config.thresholds)
