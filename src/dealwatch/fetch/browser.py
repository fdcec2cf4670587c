"""Tier `browser`: pages rendered by the system's Chromium through Playwright, behind the SSRF guard.

One headless Chromium serves every fetch; each fetch gets a fresh context (its own cookies), so
pages never share state. The SSRF guard is applied twice, because Playwright's route handler never
sees redirect hops: the route handler checks every request the page makes (and blocks images, fonts
and media), and every context talks through `GuardProxy`, a forward proxy that checks the address of
every connection Chromium opens, redirects and WebSockets included, and connects to that address only.

A site listed in `fetch.browser.profiles` (Facebook Marketplace, which shows listings only to a
logged-in visitor) renders instead in the operator's own Chromium profile directory: one persistent
context per profile, kept open, a new page per fetch, so the operator's login and cookies carry over
from run to run. dealwatch never logs in, signs up or creates accounts; the operator logs in once by
hand (e.g. `chromium --user-data-dir=DIR https://www.facebook.com/`). A profile directory can be open
in one Chromium at a time.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dealwatch.core.clock import Clock
from dealwatch.core.errors import FetchError, NotConfigured
from dealwatch.fetch.base import Attempt, FetchRequest, FetchResult, Outcome
from dealwatch.fetch.safety import UnsafeURL, UrlGuard, resolve
from dealwatch.settings import FetchSettings, Settings

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HTML = "text/html; charset=utf-8"
BLOCK_STATUSES = frozenset({403, 429, 503})


def build_browser(settings: Settings, clock: Clock) -> BrowserFetcher:
    """The browser tier, or NotConfigured when Playwright or Chromium is missing here."""
    if importlib.util.find_spec("playwright") is None:
        raise NotConfigured("playwright is not installed: pip install 'dealwatch[browser]'")
    executable = settings.fetch.browser.executable
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        raise NotConfigured(
            f"no Chromium at {executable}: apt-get install chromium, or set fetch.browser.executable"
        )
    return BrowserFetcher(settings.fetch, clock, UrlGuard(settings.fetch.allowed_networks))


class Chromium:
    """One headless Chromium, launched on first use and shared by every fetcher given it."""

    def __init__(self, executable: str, extra_args: tuple[str, ...] = ()) -> None:
        self.executable = executable
        self.extra_args = extra_args
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    async def browser(self) -> Browser:
        """The running browser, launched (or relaunched after a crash) when needed."""
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            await self._stop()
            playwright = self._playwright or await self._start()
            self._browser = await playwright.chromium.launch(
                executable_path=self.executable, args=[*LAUNCH_ARGS, *self.extra_args], headless=True
            )
            return self._browser

    async def persistent(self, directory: str, **options: Any) -> BrowserContext:
        """A context on a profile directory of its own (cookies and logins kept on disk).

        Chromium runs one process per profile: the caller owns the context and closes it.
        """
        async with self._lock:
            playwright = self._playwright or await self._start()
            return await playwright.chromium.launch_persistent_context(
                directory,
                executable_path=self.executable,
                args=[*LAUNCH_ARGS, *self.extra_args],
                headless=True,
                **options,
            )

    async def _start(self) -> Playwright:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        return self._playwright

    async def aclose(self) -> None:
        """Close the browser and stop Playwright."""
        async with self._lock:
            await self._stop()
            playwright, self._playwright = self._playwright, None
            if playwright is not None:
                await playwright.stop()

    async def _stop(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            with suppress(Exception):  # a crashed browser cannot be closed twice; it is gone either way
                await browser.close()


class GuardProxy:
    """A forward proxy on 127.0.0.1 that lets Chromium reach only the addresses the UrlGuard allows.

    It resolves each host itself and connects to the address it checked, so DNS rebinding between
    check and connect is closed too. Plain-HTTP requests are sent with `Connection: close` and only
    one request is relayed per connection, so a kept-alive connection cannot carry a second request
    to another host. A refused request gets no answer (CONNECT gets 403).
    """

    def __init__(self, guard: UrlGuard) -> None:
        self.guard = guard
        self._server: asyncio.Server | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def url(self) -> str:
        """The proxy's address, starting it on first use."""
        async with self._lock:
            if self._server is None:
                self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            host, port = self._server.sockets[0].getsockname()[:2]
            return f"http://{host}:{port}"

    async def aclose(self) -> None:
        """Stop listening and drop every relayed connection."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._relay(reader, writer)
        except (OSError, ValueError, FetchError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a refused or broken connection: Chromium reports it as a network error
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.removesuffix("\r\n\r\n").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        tunnel = method.upper() == "CONNECT"
        url = f"https://{target}/" if tunnel else target
        try:
            upstream_reader, upstream_writer = await self._connect(url)
        except FetchError:
            if tunnel:
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
            raise
        try:
            if tunnel:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await _until_first_done(_copy(reader, upstream_writer), _copy(upstream_reader, writer))
                return
            headers = [
                line
                for line in header_lines
                if line.split(":", 1)[0].strip().lower()
                not in {"connection", "keep-alive", "proxy-connection", "proxy-authorization"}
            ]
            if any(line.lower().startswith("transfer-encoding:") for line in headers):
                return  # Chromium sends streamed request bodies over HTTP/2 only, which is tunnelled
            parts = urlsplit(target)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            upstream_writer.write(
                "\r\n".join([f"{method} {path} {version}", *headers, "Connection: close", "", ""]).encode(
                    "latin-1"
                )
            )
            length = next(
                (
                    int(line.split(":", 1)[1])
                    for line in headers
                    if line.lower().startswith("content-length:")
                ),
                0,
            )
            if length:
                upstream_writer.write(await reader.readexactly(length))
            await upstream_writer.drain()
            # Whatever else the client sends is never relayed; reading it only notices a hang-up.
            await _until_first_done(_discard(reader), _copy(upstream_reader, writer))
        finally:
            upstream_writer.close()

    async def _connect(self, url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host = self.guard.check_shape(url)
        port = urlsplit(url).port or (443 if url.startswith("https") else 80)
        addresses = await resolve(host)
        refused = [a for a in addresses if not self.guard.address_allowed(a)]
        if refused:
            raise UnsafeURL(f"{host} resolves to {refused[0]}, a non-public address: {url}")
        return await asyncio.open_connection(str(addresses[0]), port)


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()


async def _discard(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


async def _until_first_done(*jobs: Any) -> None:
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@dataclass(frozen=True, slots=True)
class _Rendered:
    status: int
    final_url: str
    html: str


@dataclass(frozen=True, slots=True)
class _Tab:
    """A fresh context with its page, routes and request counter, ready to navigate once."""

    context: BrowserContext
    page: Page
    refused: dict[str, str]
    in_flight: _InFlight
    shared: bool = False  # the context is an operator's profile, kept open: only the page is closed


class _RenderFailed(Exception):
    """The page could not be rendered; the message is the reason recorded."""


class _InFlight:
    """Counts a page's requests in flight, to tell when its network has gone quiet.

    Playwright's own "networkidle" waits a fixed 500 ms of silence; a shorter quiet period after
    the load event is enough for banners that scripts insert, and halves the time per page.
    """

    def __init__(self, page: Page) -> None:
        self.count = 0
        self.changed = asyncio.Event()
        page.on("request", lambda _r: self._add(1))
        page.on("requestfinished", lambda _r: self._add(-1))
        page.on("requestfailed", lambda _r: self._add(-1))

    def _add(self, delta: int) -> None:
        self.count = max(0, self.count + delta)
        self.changed.set()

    async def quiet(self, period: float, cap: float) -> None:
        """Return once nothing has been in flight for `period` seconds, or after `cap` seconds."""
        with suppress(TimeoutError):
            async with asyncio.timeout(cap):
                while True:
                    self.changed.clear()
                    if self.count == 0:
                        try:
                            await asyncio.wait_for(self.changed.wait(), period)
                        except TimeoutError:
                            return
                    else:
                        await self.changed.wait()


class BrowserFetcher:
    """Renders pages in Chromium: JavaScript runs, the DOM after load (and network idle) is the page."""

    name = "browser"

    def __init__(
        self,
        settings: FetchSettings,
        clock: Clock,
        guard: UrlGuard,
        *,
        chromium: Chromium | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.guard = guard
        # A Chromium passed in is shared and stays open; one made here is this fetcher's to close.
        self._owns_chromium = chromium is None
        self._spares: dict[str, asyncio.Task[_Tab]] = {}
        # Images are switched off in Blink itself, so they are never requested (each routed request
        # costs a round trip to Python); fonts and media are dropped by the route handler.
        no_images = "image" in settings.browser.block_resources
        flags = ("--blink-settings=imagesEnabled=false",) if no_images else ()
        self.chromium = chromium or Chromium(settings.browser.executable, flags)
        self.proxy = GuardProxy(guard)
        self._pages = asyncio.Semaphore(settings.browser.max_pages)
        self._profiles: dict[str, asyncio.Task[BrowserContext]] = {}  # by profile directory

    async def aclose(self) -> None:
        for spare in self._spares.values():
            spare.cancel()
            with suppress(BaseException):
                await (await spare).context.close()
        self._spares.clear()
        for profile in self._profiles.values():
            with suppress(BaseException):
                await (await profile).close()
        self._profiles.clear()
        await self.proxy.aclose()
        if self._owns_chromium:
            await self.chromium.aclose()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Render `request.url`; the result says how it ended."""
        fetched_at = self.clock.now()
        t0 = time.perf_counter()
        status: int | None = None
        final_url: str | None = None
        content = b""
        reason: str | None
        try:
            await self.guard.check(request.url)
            async with self._pages:
                # Time spent waiting for a free page is queueing, not fetching: the attempt starts here.
                fetched_at, t0 = self.clock.now(), time.perf_counter()
                rendered = await self._render(request)
        except (FetchError, _RenderFailed) as exc:
            outcome, reason = Outcome.FAILED, str(exc)
        except ValueError as exc:  # a URL too malformed to parse or resolve (e.g. a bad IDNA label)
            outcome, reason = Outcome.FAILED, f"invalid URL: {exc}"
        else:
            status, final_url = rendered.status, rendered.final_url
            content = rendered.html.encode("utf-8")
            outcome, reason = _classify(status)
            if len(content) > self.settings.max_bytes:
                outcome, reason = Outcome.FAILED, f"page larger than {self.settings.max_bytes} bytes"
        attempt = Attempt(
            tier=self.name,
            number=1,
            started_at=fetched_at,
            duration_ms=int((time.perf_counter() - t0) * 1000),
            outcome=outcome,
            http_status=status,
            bytes=len(content),
            reason=reason,
        )
        return FetchResult(
            url=request.url,
            outcome=outcome,
            tier=self.name,
            fetched_at=fetched_at,
            final_url=final_url,
            http_status=status,
            content=content if outcome is Outcome.OK else b"",
            content_type=HTML,
            reason=reason,
            attempts=[attempt],
        )

    async def _open_tab(self, user_agent: str) -> _Tab:
        browser = await self.chromium.browser()
        context = await browser.new_context(
            user_agent=user_agent,
            proxy={"server": await self.proxy.url()},
            service_workers="block",
            accept_downloads=False,
        )
        context.set_default_timeout(self.settings.timeout * 1000)
        refused: dict[str, str] = {}
        await context.route("**/*", self._router(refused))
        page = await context.new_page()
        return _Tab(context, page, refused, _InFlight(page))

    async def _take_tab(self, user_agent: str) -> _Tab:
        """A fresh tab: the spare opened after the last fetch when there is one, and a new spare behind it.

        Opening a context and page costs about 0.2 s (a renderer process starts); doing it ahead of
        time keeps that off the next fetch. Every fetch still gets its own, never-reused context.
        """
        spare = self._spares.pop(user_agent, None)
        tab = await spare if spare is not None else await self._open_tab(user_agent)
        if not self._spares:  # one spare at a time, for the user agent seen last
            self._spares[user_agent] = asyncio.create_task(self._open_tab(user_agent))
        return tab

    async def _profile_tab(self, directory: str, user_agent: str) -> _Tab:
        """A new page in the operator's profile, whose context opens on first use and stays open."""
        proxy = await self.proxy.url()
        if directory not in self._profiles:  # no await between the check and the claim: one launch
            self._profiles[directory] = asyncio.create_task(
                self.chromium.persistent(
                    directory,
                    user_agent=user_agent,
                    proxy={"server": proxy},
                    service_workers="block",
                    accept_downloads=False,
                )
            )
        try:
            context = await self._profiles[directory]
        except BaseException:
            self._profiles.pop(directory, None)  # try again on the next fetch (e.g. profile in use)
            raise
        context.set_default_timeout(self.settings.timeout * 1000)
        page = await context.new_page()
        refused: dict[str, str] = {}
        await page.route("**/*", self._router(refused))
        return _Tab(context, page, refused, _InFlight(page), shared=True)

    def _profile_for(self, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        for site, directory in self.settings.browser.profiles.items():
            site = site.lower().lstrip(".")
            if host == site or host.endswith("." + site):
                return directory
        return None

    async def _render(self, request: FetchRequest) -> _Rendered:
        from playwright.async_api import Error as PlaywrightError

        user_agent = request.user_agent or self.settings.user_agent
        profile = self._profile_for(request.url)
        try:
            tab = await (self._profile_tab(profile, user_agent) if profile else self._take_tab(user_agent))
        except PlaywrightError as exc:
            where = f" (profile {profile})" if profile else ""
            raise _RenderFailed(f"browser unavailable{where}: {_first_line(exc.message)}") from exc
        try:
            async with asyncio.timeout(self.settings.timeout):
                return await self._load(tab, request.url)
        except TimeoutError as exc:
            raise _RenderFailed(f"timeout: page not loaded within {self.settings.timeout:g}s") from exc
        except PlaywrightError as exc:  # e.g. the page navigated away while being read, or the browser died
            raise _RenderFailed(_first_line(exc.message)) from exc
        finally:
            with suppress(PlaywrightError):
                await (tab.page.close() if tab.shared else tab.context.close())

    async def _load(self, tab: _Tab, url: str) -> _Rendered:
        from playwright.async_api import Error as PlaywrightError

        page, refused = tab.page, tab.refused
        navigations: list[str] = []
        page.on(
            "request",
            lambda r: (
                navigations.append(r.url)
                if r.is_navigation_request() and r.frame == page.main_frame
                else None
            ),
        )
        try:
            response = await page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            last = navigations[-1] if navigations else url
            raise _RenderFailed(await self._refusal(last, refused) or _first_line(exc.message)) from exc
        if response is None:
            raise _RenderFailed("navigation gave no response")
        # Pages that poll forever never go idle: what has rendered by then is the page.
        await tab.in_flight.quiet(self.settings.browser.idle_quiet, self.settings.browser.idle_timeout)
        return _Rendered(status=response.status, final_url=response.url, html=await page.content())

    def _router(self, refused: dict[str, str]) -> Callable[[Route], Any]:
        """The route handler: drop blocked resource types, refuse what the guard refuses."""
        from playwright.async_api import Error as PlaywrightError

        blocked = frozenset(self.settings.browser.block_resources)

        async def route(route: Route) -> None:
            url = route.request.url
            try:
                if route.request.resource_type in blocked:
                    await route.abort("blockedbyclient")
                    return
                try:
                    await self.guard.check(url)
                except (FetchError, ValueError) as exc:
                    refused[url] = str(exc)
                    await route.abort("blockedbyclient")
                    return
                await route.continue_()
            except PlaywrightError:
                pass  # the page closed while this request waited: nothing left to route

        return route

    async def _refusal(self, url: str, refused: dict[str, str]) -> str | None:
        """Why the guard refused `url` (in the route handler or, for a redirect hop, the proxy)."""
        if url in refused:
            return refused[url]
        try:
            await self.guard.check(url)
        except (FetchError, ValueError) as exc:
            return str(exc)
        return None


def _classify(status: int) -> tuple[Outcome, str | None]:
    if 200 <= status < 300:
        return Outcome.OK, None
    if status == 304:
        return Outcome.NOT_MODIFIED, None
    if status in BLOCK_STATUSES:
        return Outcome.BLOCKED, f"HTTP {status}"
    return Outcome.FAILED, f"HTTP {status}"


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "navigation failed"
