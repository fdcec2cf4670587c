"""The web layer: FastAPI app factory and the /v1 API. Thin: it reads through feature functions."""
