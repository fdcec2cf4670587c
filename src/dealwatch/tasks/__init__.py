"""Task runners: how the pipeline's per-item work is spread (inline asyncio now; Celery later)."""
