"""Serve a SandboxWorld over real HTTP on loopback: one address per store, an admin API on the base address.

One uvicorn server listens on pre-bound sockets (the admin address, then 127.0.0.2, .3, ...) all on
one port; the ASGI app picks the store from the local address a request arrived on. With a
SandboxMarket, the addresses after the stores' serve its Craigslist-, Facebook-, OfferUp- and eBay-like
sites and their shared image host (`GET /__admin/marketplaces` lists them). A store in a fault
mode (slow, rate-limited, bot-walled...; see `faults.py`) answers through the fault; faults switch at
run time through `POST /__admin/fault` or `SandboxServer.set_fault`.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict
from datetime import date
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

import structlog
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from dealwatch.sandbox.faults import FAULT_MODES, TRANSPORT_EXTENSION, Fault, FaultyRequest, respond
from dealwatch.sandbox.market import MARKETPLACES, SandboxMarket
from dealwatch.sandbox.market_pages import MarketSites, market_page
from dealwatch.sandbox.pages import Message
from dealwatch.sandbox.world import SandboxWorld
from dealwatch.testing import bind_loopback

log = structlog.get_logger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_PAGE_CACHE_SIZE = 4096
_BIND_ATTEMPTS = 5
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def store_addresses(host_base: str, count: int) -> list[str]:
    """`count` loopback addresses after `host_base`, skipping those ending in .0 and .255."""
    base = ipaddress.IPv4Address(host_base)
    if not base.is_loopback:
        raise ValueError(f"the sandbox serves on loopback only, got host_base={host_base!r}")
    out: list[str] = []
    candidate = base
    while len(out) < count:
        candidate += 1
        if not candidate.is_loopback:
            raise ValueError(f"not enough loopback addresses after {host_base} for {count} stores")
        if candidate.packed[-1] not in (0, 255):
            out.append(str(candidate))
    return out


class SandboxState:
    """What the running server shares between threads: the world, the simulated date and the address map."""

    def __init__(
        self, world: SandboxWorld, host_base: str, day: date, market: SandboxMarket | None = None
    ) -> None:
        self.world = world
        self.market = market
        self.admin_host = host_base
        sites = [*MARKETPLACES, "images"] if market is not None else []
        addresses = store_addresses(host_base, len(world.stores) + len(sites))
        self.host_of = dict(zip((s.slug for s in world.stores), addresses[: len(world.stores)], strict=True))
        self.slug_at = {host: slug for slug, host in self.host_of.items()}
        self.site_host = dict(zip(sites, addresses[len(world.stores) :], strict=True))
        self.site_at = {host: site for site, host in self.site_host.items()}
        self.day = self.check_date(day)
        self.port = 0
        # replaced, never mutated: the admin thread swaps it while the server thread reads it
        self.faults: dict[str, Fault] = world.faults
        self.stopping = asyncio.Event()  # set at shutdown: faults drop the connections they hold open
        self._hits: dict[str, tuple[date, int]] = {}
        self._pages: dict[tuple[str, date, str, bool], bytes | None] = {}

    @property
    def hosts(self) -> list[str]:
        """Every address served: the admin's, the stores', then the marketplaces'."""
        return [self.admin_host, *self.host_of.values(), *self.site_host.values()]

    @property
    def sites(self) -> MarketSites:
        """The marketplaces' and image host's base URLs (known once the port is)."""
        urls = {site: f"http://{host}:{self.port}" for site, host in self.site_host.items()}
        return MarketSites({m: urls[m] for m in MARKETPLACES if m in urls}, urls.get("images", ""))

    def check_date(self, day: date) -> date:
        """`day`, if the world's calendars cover it; ValueError otherwise."""
        if not self.world.start <= day <= self.world.end:
            raise ValueError(f"date {day} is outside the sandbox window {self.world.start}..{self.world.end}")
        return day

    def page(self, slug: str, path: str, client_banner: bool = False) -> bytes | None:
        """The encoded page at `path` for the current date (cached; pages are deterministic)."""
        key = (slug, self.day, path, client_banner)
        if key not in self._pages:
            if len(self._pages) >= _PAGE_CACHE_SIZE:
                self._pages.clear()
            html = self.world.render_path(slug, self.day, path, client_banner=client_banner)
            self._pages[key] = html.encode() if html is not None else None
        return self._pages[key]

    def set_fault(self, slug: str, mode: str | Fault | None) -> Fault | None:
        """Put a store in fault mode `mode` ("slow:0.5", ...) or back to normal (None); ValueError if bad."""
        if slug not in self.host_of:
            raise ValueError(f"unknown store {slug!r}")
        fault = Fault.parse(mode) if isinstance(mode, str) else mode
        faults = {s: f for s, f in self.faults.items() if s != slug}
        if fault is not None:
            faults[slug] = fault
        self._hits.pop(slug, None)  # per-day refusal counts start over
        self.faults = faults
        return fault

    def count_hit(self, slug: str) -> int:
        """Count a request to a store; its number (from 1) among the store's requests on the current day."""
        day, hits = self._hits.get(slug, (self.day, 0))
        hits = hits + 1 if day == self.day else 1
        self._hits[slug] = (self.day, hits)
        return hits


def _host_header(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"host":
            return bytes(value).decode("latin-1")
    return f"{scope['server'][0]}:{scope['server'][1]}"


def _banner_json(message: Message | None) -> JSONResponse:
    """What a `js_only` store's banner script fetches: the banner the page would otherwise carry."""
    return JSONResponse(
        {
            "kind": message.kind if message else None,
            "text": message.text if message else None,
            "href": "/sale" if message else None,
        },
        headers={"Cache-Control": "no-store"},
    )


def _store_app(state: SandboxState) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        slug = state.slug_at[scope["server"][0]]
        path = scope["path"]
        fault = state.faults.get(slug)
        mode = fault.mode if fault else None
        response: Response
        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "GET, HEAD"})
        elif path == "/robots.txt":
            response = PlainTextResponse(
                _DISALLOW_ALL if mode == "robots_disallow" else state.world.store(slug).robots_txt
            )
        else:
            hit = state.count_hit(slug)
            if fault is not None:
                request = FaultyRequest(
                    slug,
                    state.day,
                    hit,
                    _host_header(scope),
                    path,
                    lambda: state.page(slug, path),
                    state.stopping,
                )
                if await respond(fault, request, scope, receive, send):
                    return
            if mode == "js_only" and path == "/api/banner":
                response = _banner_json(state.world.banner(slug, state.day))
            elif (body := state.page(slug, path, client_banner=mode == "js_only")) is None:
                response = HTMLResponse(
                    "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>", 404
                )
            else:
                response = Response(body, media_type="text/html; charset=utf-8")
        await response(scope, receive, send)

    return app


def _market_app(state: SandboxState) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert state.market is not None
        site = state.site_at[scope["server"][0]]
        response: Response
        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "GET, HEAD"})
        else:
            params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
            page = market_page(state.market, state.sites, site, scope["path"], params)
            if page is None:
                response = HTMLResponse(
                    "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>", 404
                )
            else:
                response = Response(page.body, page.status, media_type=page.media_type)
        await response(scope, receive, send)

    return app


def _bad_request(reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=400)


def _admin_app(state: SandboxState) -> Starlette:
    world = state.world

    def parse_date(raw: object) -> date:
        if not isinstance(raw, str):
            raise ValueError(f"'date' must be a YYYY-MM-DD string, got {raw!r}")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"bad date {raw!r}: expected YYYY-MM-DD") from None
        return state.check_date(day)

    def store_param(request: Request) -> str:
        slug = request.query_params.get("store")
        if not slug:
            raise ValueError("query parameter 'store' is required")
        if slug not in state.host_of:
            raise ValueError(f"unknown store {slug!r}")
        return slug

    async def get_date(request: Request) -> JSONResponse:
        return JSONResponse({"date": state.day.isoformat()})

    async def set_date(request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            return _bad_request('body must be JSON like {"date": "2025-03-01"}')
        if not isinstance(payload, dict) or "date" not in payload:
            return _bad_request('body must be a JSON object with a "date" key')
        try:
            state.day = parse_date(payload["date"])
        except ValueError as exc:
            return _bad_request(str(exc))
        return JSONResponse({"date": state.day.isoformat()})

    async def stores(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {
                    "slug": s.slug,
                    "name": s.name,
                    "url": f"http://{state.host_of[s.slug]}:{state.port}/",
                    "category": s.category,
                    "country": s.country,
                    "selectors": s.selectors,
                }
                for s in world.stores
            ]
        )

    async def truth(request: Request) -> JSONResponse:
        try:
            slug = store_param(request)
            raw = request.query_params.get("date")
            day = parse_date(raw) if raw is not None else state.day
        except ValueError as exc:
            return _bad_request(str(exc))
        notice = world.notice(slug, day)
        return JSONResponse(
            {
                "store": slug,
                "date": day.isoformat(),
                **asdict(world.truth(slug, day)),
                "notice": asdict(notice) if notice else None,
            }
        )

    async def calendar(request: Request) -> JSONResponse:
        try:
            slug = store_param(request)
        except ValueError as exc:
            return _bad_request(str(exc))
        events = [
            {**asdict(e), "start": e.start.isoformat(), "end": e.end.isoformat()}
            for e in world.calendar(slug)
        ]
        return JSONResponse({"store": slug, "events": events})

    async def marketplaces(request: Request) -> JSONResponse:
        sites = state.sites
        return JSONResponse({**sites.urls, "images": sites.images} if state.market is not None else {})

    async def get_faults(request: Request) -> JSONResponse:
        return JSONResponse(
            {"faults": {slug: str(fault) for slug, fault in state.faults.items()}, "modes": list(FAULT_MODES)}
        )

    async def set_fault(request: Request) -> JSONResponse:
        usage = (
            'body must be a JSON object like {"store": "summit-works", "mode": "slow:0.5"} (null: no fault)'
        )
        try:
            payload = await request.json()
        except ValueError:
            return _bad_request(usage)
        if not isinstance(payload, dict) or "store" not in payload or "mode" not in payload:
            return _bad_request(usage)
        slug, mode = payload["store"], payload["mode"]
        if not isinstance(slug, str):
            return _bad_request(f"'store' must be a store slug, got {slug!r}")
        if mode is not None and not isinstance(mode, str):
            return _bad_request(f"'mode' must be a string like 'slow:0.5' or null, got {mode!r}")
        try:
            fault = state.set_fault(slug, mode)
        except ValueError as exc:
            return _bad_request(str(exc))
        log.info("sandbox.fault", store=slug, mode=str(fault) if fault else None)
        return JSONResponse({"store": slug, "mode": str(fault) if fault else None})

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    return Starlette(
        routes=[
            Route("/__admin/date", get_date, methods=["GET"]),
            Route("/__admin/date", set_date, methods=["POST"]),
            Route("/__admin/stores", stores, methods=["GET"]),
            Route("/__admin/truth", truth, methods=["GET"]),
            Route("/__admin/calendar", calendar, methods=["GET"]),
            Route("/__admin/marketplaces", marketplaces, methods=["GET"]),
            Route("/__admin/faults", get_faults, methods=["GET"]),
            Route("/__admin/fault", set_fault, methods=["POST"]),
        ],
        exception_handlers={HTTPException: http_error},
    )


def build_app(state: SandboxState) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app: the admin API on the base address, a store or a marketplace on each other address."""
    admin, store, market = _admin_app(state), _store_app(state), _market_app(state)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        host = scope["server"][0] if scope.get("server") else None
        served = store if host in state.slug_at else market if host in state.site_at else admin
        await served(scope, receive, send)

    return app


def _bind_all(hosts: list[str], port: int) -> tuple[list[socket.socket], int]:
    """Bind one TCP socket per host on one port (a free one when `port` is 0)."""
    for _ in range(_BIND_ATTEMPTS):
        sockets: list[socket.socket] = []
        chosen = port
        try:
            for host in hosts:
                sockets.append(bind_loopback(host, chosen))
                chosen = sockets[-1].getsockname()[1]
            return sockets, chosen
        except OSError as exc:
            for sock in sockets:
                sock.close()
            # a free port on the first address may be taken on another one: try a fresh port
            if port != 0 or exc.errno != errno.EADDRINUSE:
                where = f"{hosts[len(sockets)]}:{chosen}"
                raise OSError(exc.errno, f"cannot bind the sandbox on {where}: {exc}") from exc
    raise OSError(errno.EADDRINUSE, f"no port free on all {len(hosts)} sandbox addresses")


class _H11Protocol(H11Protocol):
    """uvicorn's h11 protocol, also handing the app its connection's transport: faults reset or cut it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        app = self.app

        async def with_transport(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})[TRANSPORT_EXTENSION] = self.transport
            await app(scope, receive, send)

        self.app = with_transport


class _Server(uvicorn.Server):
    """A uvicorn server that signals when it listens and ends held (faulty) connections when it stops."""

    def __init__(self, config: uvicorn.Config, state: SandboxState) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._state = state

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._state.stopping = asyncio.Event()  # one per run: an event belongs to the loop that awaits it
        await super().startup(sockets=sockets)
        self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._state.stopping.set()
        await super().shutdown(sockets=sockets)


def _uvicorn_config(state: SandboxState) -> uvicorn.Config:
    return uvicorn.Config(
        build_app(state),
        # h11 is what uvicorn picks here anyway (httptools isn't a dependency); the subclass adds transports
        http=_H11Protocol,
        interface="asgi3",
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        backlog=1024,
        timeout_graceful_shutdown=2,
    )


class SandboxServer:
    """A running sandbox in a background thread; use as a (sync or async) context manager."""

    def __init__(
        self,
        world: SandboxWorld,
        port: int = 0,
        host_base: str = "127.0.0.1",
        start_date: date | None = None,
        market: SandboxMarket | None = None,
    ) -> None:
        self.world = world
        self._state = SandboxState(world, host_base, start_date or world.start, market)
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port every address listens on (known once started)."""
        return self._state.port

    @property
    def admin_url(self) -> str:
        """Base URL of the admin API, e.g. "http://127.0.0.1:41234"."""
        return f"http://{self._state.admin_host}:{self.port}"

    @property
    def current_date(self) -> date:
        """The simulated date the stores currently show."""
        return self._state.day

    def store_url(self, slug: str) -> str:
        """The home page URL of a store, on its own loopback address."""
        return f"http://{self._state.host_of[slug]}:{self.port}/"

    def marketplace_url(self, site: str) -> str:
        """The base URL of a sandbox marketplace ("craigslist", "facebook", "offerup", "ebay", "images")."""
        return f"http://{self._state.site_host[site]}:{self.port}"

    def set_date(self, day: date) -> None:
        """Move the simulated date (same as POST /__admin/date); ValueError outside the window."""
        self._state.day = self._state.check_date(day)

    @property
    def faults(self) -> dict[str, Fault]:
        """The stores currently in a fault mode, and their modes."""
        return dict(self._state.faults)

    def set_fault(self, slug: str, mode: str | Fault | None) -> None:
        """Put a store in fault mode `mode` ("slow:0.5", ...) or back to normal with None (same as
        POST /__admin/fault); ValueError for an unknown store or a bad mode."""
        self._state.set_fault(slug, mode)

    def start(self) -> SandboxServer:
        """Bind every address and serve until `stop()`."""
        if self._thread is not None:
            raise RuntimeError("sandbox server already started")
        sockets, self._state.port = _bind_all(self._state.hosts, self._requested_port)
        server = _Server(_uvicorn_config(self._state), self._state)
        thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=sockets)), name="dealwatch-sandbox", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        while not server.ready.wait(0.05):
            if not thread.is_alive():
                for sock in sockets:
                    sock.close()
                raise RuntimeError("sandbox server failed to start")
        return self

    def stop(self) -> None:
        """Stop serving and close every socket."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> SandboxServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)


async def serve_forever(
    world: SandboxWorld,
    port: int,
    host_base: str = "127.0.0.1",
    start_date: date | None = None,
    market: SandboxMarket | None = None,
) -> None:
    """Serve `world` (and `market`) in the running event loop until cancelled (or SIGINT/SIGTERM); logs
    the admin URL."""
    state = SandboxState(world, host_base, start_date or world.start, market)
    sockets, state.port = _bind_all(state.hosts, port)
    server = _Server(_uvicorn_config(state), state)
    serving = asyncio.ensure_future(server.serve(sockets=sockets))
    try:
        while not server.ready.is_set() and not serving.done():
            await asyncio.sleep(0.05)
        if server.ready.is_set():
            log.info(
                "sandbox.serving",
                admin_url=f"http://{host_base}:{state.port}",
                stores=len(world.stores),
                first_store=f"http://{state.host_of[world.stores[0].slug]}:{state.port}/",
                date=state.day.isoformat(),
            )
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        await serving
        raise
    finally:
        for sock in sockets:
            sock.close()
