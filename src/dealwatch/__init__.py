"""dealwatch: self-hosted deal intelligence (store-wide sales, next-sale forecasts, marketplace arbitrage)."""

__version__ = "0.1.0"
