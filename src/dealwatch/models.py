"""Imports every feature's tables so Base.metadata (and Alembic) sees the whole schema."""

from dealwatch.alerts.models import AlertDelivery
from dealwatch.fetch.models import FetchAttempt, TierTrial
from dealwatch.flip.models import Listing, ListingEvent, Opportunity, Search
from dealwatch.llm.models import LlmSpend
from dealwatch.promo.models import Prediction, PromoDay, Review, Store
from dealwatch.snapshots.models import Snapshot

__all__ = [
    "AlertDelivery",
    "FetchAttempt",
    "Listing",
    "ListingEvent",
    "LlmSpend",
    "Opportunity",
    "Prediction",
    "PromoDay",
    "Review",
    "Search",
    "Snapshot",
    "Store",
    "TierTrial",
]
