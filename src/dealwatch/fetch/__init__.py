"""Fetching pages: the Fetcher seam, tiers, politeness and fetch-attempt records."""
