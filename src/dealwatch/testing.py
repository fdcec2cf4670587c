"""Test helpers that stay small: a real uvicorn server on loopback, in a background thread, a webhook
inbox for the alerts it receives, and the listing and opportunity rows a marketplace scan leaves,
for tests of what comes after it."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    from dealwatch.flip.models import Listing, Opportunity


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on a loopback address (port 0 picks a free one)."""
    # An explicit IPPROTO_TCP lets asyncio set TCP_NODELAY on accepted connections (it checks
    # sock.proto); without it each keep-alive response waits ~40 ms on delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class LoopbackServer:
    """Serves an ASGI app with uvicorn on the given sockets until the `with` block ends."""

    def __init__(self, app: Any, sockets: list[socket.socket] | None = None) -> None:
        self.sockets = sockets or [bind_loopback()]
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": self.sockets}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL of the first socket, e.g. 'http://127.0.0.1:41234'."""
        host, port = self.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("loopback server did not start")
            time.sleep(0.01)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


class SwappableApp:
    """An ASGI app that forwards to whichever app is current: one loopback server, many fakes."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class Inbox:
    """A webhook receiver: what Apprise's json:// sends to `/hook` arrives in `received`."""

    def __init__(self) -> None:
        from starlette.applications import Starlette
        from starlette.routing import Route

        self.received: list[dict[str, Any]] = []
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> JSONResponse:
        from starlette.responses import JSONResponse

        self.received.append(await request.json())
        return JSONResponse({"ok": True})

    @staticmethod
    def apprise_url(server: LoopbackServer) -> str:
        """The json:// URL that makes Apprise post to this inbox on `server`."""
        return server.url.replace("http://", "json://") + "/hook"


def add_listing(
    session: Session,
    external_id: str,
    *,
    seen: datetime,
    title: str | None = None,
    marketplace: str = "craigslist",
    price: str = "80",
) -> Listing:
    """A listing as a scan stores it, active for a week from `seen` (for tests of what follows a scan)."""
    from dealwatch.flip.models import Listing

    listing = Listing(
        marketplace=marketplace,
        external_id=external_id,
        title=title or f"listing {external_id}",
        url=f"https://{marketplace}.example/{external_id}",
        price=Decimal(price),
        currency="USD",
        image_urls=[],
        first_seen_at=seen,
        last_seen_at=seen,
        expires_at=seen + timedelta(days=7),
        status="active",
        raw={},
    )
    session.add(listing)
    session.flush()
    return listing


def add_opportunity(session: Session, listing: Listing, *, route: str = "buy", **columns: Any) -> Opportunity:
    """The opportunity a scan stores for `listing` (status from `route`); `columns` set any other column."""
    from dealwatch.flip.models import Opportunity
    from dealwatch.flip.opportunities import STATUS_OF_ROUTE

    values: dict[str, Any] = {
        "listing_id": listing.id,
        "currency": "USD",
        "route": route,
        "status": STATUS_OF_ROUTE[route],
        "details": {},
        "created_at": listing.first_seen_at,
        "updated_at": listing.first_seen_at,
    }
    opportunity = Opportunity(**(values | columns))
    session.add(opportunity)
    session.flush()
    return opportunity
