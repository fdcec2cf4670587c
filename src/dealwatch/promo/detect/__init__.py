"""The detection cascade: is a site-wide sale on this store's page today? (see LABELS.md)."""

from dealwatch.promo.detect.base import PROMOTION_TYPES, Detection, Detector, Page, StoreHints
from dealwatch.promo.detect.cascade import Cascade, build_cascade, detectors

__all__ = [
    "PROMOTION_TYPES",
    "Cascade",
    "Detection",
    "Detector",
    "Page",
    "StoreHints",
    "build_cascade",
    "detectors",
]
