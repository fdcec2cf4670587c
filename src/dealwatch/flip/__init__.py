"""Marketplace arbitrage ("flip" job): marketplace adapters and the listings they read."""
