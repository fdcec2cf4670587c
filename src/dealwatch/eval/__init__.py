"""Benchmark harnesses (detection, forecast, valuation, extraction) returning metrics as JSON-ready dicts."""
