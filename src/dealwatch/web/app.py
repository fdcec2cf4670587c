"""FastAPI app factory. Nothing is built at import: `create_app(settings)` builds the app and its database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import make_asgi_app
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

import dealwatch
from dealwatch.core.clock import Clock, SystemClock
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.db import open_database
from dealwatch.settings import Settings
from dealwatch.web import dashboard, flip_routes, inventory_routes, llm_routes, promo_routes, review_routes


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    """The app: migrates the database, mounts /v1, the dashboard at /, /healthz, /metrics and /docs."""
    engine, sessions = open_database(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if settings.schedule.enabled:  # the daily pass and scans on a clock, in this process
            from dealwatch.services import build_services
            from dealwatch.tasks.jobs import build_scheduler

            app.state.services = build_services(settings, app.state.clock)
            scheduler = build_scheduler(app.state.services)
            scheduler.start()
        app.state.scheduler = scheduler
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if getattr(app.state, "services", None) is not None:  # built by the schedule or the first scan
            await app.state.services.aclose()
        engine.dispose()

    app = FastAPI(title="dealwatch", version=dealwatch.__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.clock = clock or SystemClock()
    app.include_router(promo_routes.router)
    app.include_router(review_routes.router)
    app.include_router(flip_routes.router)
    app.include_router(inventory_routes.router)
    app.include_router(llm_routes.router)
    app.include_router(dashboard.router)  # the HTML pages at /, and /static/plotly.min.js
    app.mount("/metrics", make_asgi_app())

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"error": "not_found", "message": str(exc)}, status_code=404)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        return JSONResponse({"error": reason, "message": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(InvalidInput)
    async def invalid(_request: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse({"error": "invalid_input", "message": str(exc)}, status_code=422)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with sessions() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok", "version": dealwatch.__version__}

    return app
