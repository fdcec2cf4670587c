"""Detection value objects and the one-method Detector seam every detection tier implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol

from selectolax.lexbor import LexborHTMLParser

PROMOTION_TYPES = (
    "percentage_off",
    "fixed_discount",
    "seasonal_sale",
    "coupon_code",
    "free_shipping",
    "bogo",
    "clearance",
    "other",
)


@dataclass(frozen=True, slots=True)
class StoreHints:
    """Per-store detection configuration, as in the seed's `scrape_config.selectors`."""

    selectors: dict[str, str] = field(default_factory=dict)


@dataclass
class Page:
    """One fetched page handed to the detectors; the DOM is parsed once, lazily."""

    url: str
    html: str
    hints: StoreHints = field(default_factory=StoreHints)
    day: date | None = None  # UTC day fetched; dated evidence (SaleEvent) is checked against it
    memo: dict[str, object] = field(default_factory=dict, repr=False)  # work shared by tiers (regions.scan)

    @cached_property
    def tree(self) -> LexborHTMLParser:
        """The parsed DOM (selectolax/lexbor)."""
        return LexborHTMLParser(self.html)


@dataclass(frozen=True, slots=True)
class Detection:
    """A tier's verdict on one page.

    `has_promotion` is None when the tier could not decide; the cascade then asks the next tier.
    `promotion_text` is always copied from the page, never invented.
    """

    has_promotion: bool | None
    confidence: float
    tier: str
    promotion_type: str | None = None
    promotion_text: str | None = None
    discount_pct: int | None = None
    evidence: tuple[str, ...] = ()
    cost_usd: float = 0.0  # what the tiers that ran cost (paid LLM calls)
    review: bool = False  # too unsure: a person should confirm (the review tier)
    ran: tuple[str, ...] = ()  # the tiers the cascade asked, in order

    @property
    def decided(self) -> bool:
        return self.has_promotion is not None


class Detector(Protocol):
    """One detection tier."""

    name: str

    def detect(self, page: Page) -> Detection:
        """Judge one page; return an undecided Detection when unsure."""
        ...
