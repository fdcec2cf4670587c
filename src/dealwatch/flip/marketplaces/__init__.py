"""Marketplace adapters behind one protocol; importing this package registers the built-ins.

Third-party adapters plug in through the `dealwatch.marketplaces` entry-point group.
"""

from dealwatch.flip.marketplaces.base import Marketplace, SearchQuery, marketplaces
from dealwatch.flip.marketplaces.craigslist import Craigslist
from dealwatch.flip.marketplaces.ebay import Ebay
from dealwatch.flip.marketplaces.facebook import FacebookMarketplace
from dealwatch.flip.marketplaces.offerup import OfferUp

__all__ = [
    "Craigslist",
    "Ebay",
    "FacebookMarketplace",
    "Marketplace",
    "OfferUp",
    "SearchQuery",
    "marketplaces",
]
