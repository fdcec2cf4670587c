"""The browser tier against real Chromium and real servers on loopback: JavaScript, blocking, SSRF, limits."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import NotConfigured
from dealwatch.fetch.base import FetchRequest, Outcome
from dealwatch.fetch.browser import BrowserFetcher, Chromium, GuardProxy, build_browser
from dealwatch.fetch.safety import UrlGuard
from dealwatch.settings import FetchSettings, Settings
from dealwatch.testing import LoopbackServer, bind_loopback

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
    ),
    pytest.mark.asyncio(loop_scope="module"),
]
BANNER = "Black Friday: 30% off everything"
HITS: Counter[str] = Counter()


class InFlight:
    """Counts requests open at once on the server."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0


SLOW = InFlight()


def _page(body: str, status: int = 200) -> Response:
    return HTMLResponse(
        f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>", status
    )


async def banner_page(request: Request) -> Response:
    HITS["/sale"] += 1
    return _page(
        "<style>@font-face{font-family:Shop;src:url(/asset/shop.woff2)} body{font-family:Shop}</style>"
        '<img src="/asset/logo.png"><div id="banner"></div>'
        "<script>fetch('/api/banner').then(r => r.json())"
        ".then(d => { document.getElementById('banner').textContent = d.text; });</script>"
    )


async def banner_api(request: Request) -> Response:
    return JSONResponse({"text": BANNER})


async def asset(request: Request) -> Response:
    HITS[request.url.path] += 1
    return Response(b"\x00" * 16, media_type="application/octet-stream")


async def forbidden(request: Request) -> Response:
    return _page("Access denied", 403)


async def missing(request: Request) -> Response:
    return _page("Not found", 404)


async def hanging_page(request: Request) -> Response:
    return _page('<p>almost</p><script src="/hang.js"></script>')


async def hang(request: Request) -> Response:
    while not await request.is_disconnected():
        await asyncio.sleep(0.05)
    return Response(b"", media_type="text/javascript")


async def slow_page(request: Request) -> Response:
    return _page('<p>slow</p><script src="/slow.js"></script>')


async def slow_script(request: Request) -> Response:
    SLOW.now += 1
    SLOW.most = max(SLOW.most, SLOW.now)
    # Hold until a second page is here too (so two really overlap, however loaded the machine), then a bit
    # longer, time enough for a third page to show up if nothing held it back.
    deadline = time.monotonic() + 5
    while SLOW.now < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    SLOW.now -= 1
    return Response("document.title = 'done';", media_type="text/javascript")


async def user_agent(request: Request) -> Response:
    return _page(f"<p id='ua'>{request.headers.get('user-agent')}</p>")


async def redirect_out(request: Request) -> Response:
    return RedirectResponse(request.query_params["to"])


async def fetch_out(request: Request) -> Response:
    to = request.query_params["to"]
    return _page(f"<p>ok</p><script>fetch('/redirect-out?to={to}').catch(() => null);</script>")


async def other_host(request: Request) -> Response:
    HITS["other"] += 1
    return _page("<p>internal admin</p>")


async def members_only(request: Request) -> Response:
    """A Marketplace-like page: listings for a logged-in visitor, a login wall for anyone else."""
    if request.cookies.get("session") == "operator":
        return _page('<a href="/marketplace/item/1/">$120 · Road bike</a>')
    return _page('<form id="login_form" action="/login/"><input name="email"></form>')


async def log_in(_request: Request) -> Response:
    """What the operator's own login does: a cookie that outlives the browser."""
    response = _page("welcome back")
    response.set_cookie("session", "operator", max_age=86_400)
    return response


APP = Starlette(
    routes=[
        Route("/sale", banner_page),
        Route("/api/banner", banner_api),
        Route("/asset/{name}", asset),
        Route("/forbidden", forbidden),
        Route("/missing", missing),
        Route("/hanging", hanging_page),
        Route("/hang.js", hang),
        Route("/slow", slow_page),
        Route("/slow.js", slow_script),
        Route("/ua", user_agent),
        Route("/redirect-out", redirect_out),
        Route("/fetch-out", fetch_out),
        Route("/members", members_only),
        Route("/login", log_in),
    ]
)
OTHER_APP = Starlette(routes=[Route("/{path:path}", other_host)])


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(APP) as running:
        yield running


@pytest.fixture(scope="module")
def other_server() -> Iterator[LoopbackServer]:
    """A second host, on 127.0.0.2: the 'internal' address a page tries to reach."""
    with LoopbackServer(OTHER_APP, [bind_loopback("127.0.0.2")]) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium() -> AsyncIterator[Chromium]:
    shared = Chromium(CHROMIUM)
    yield shared
    await shared.aclose()


@pytest.fixture(autouse=True)
def _reset() -> None:
    HITS.clear()
    SLOW.now = SLOW.most = 0


@pytest_asyncio.fixture(loop_scope="module")
async def make_fetcher(chromium: Chromium) -> AsyncIterator[Fetchers]:
    made = Fetchers(chromium)
    yield made
    for fetcher in made.built:
        await fetcher.aclose()


class Fetchers:
    """Builds browser fetchers on the shared Chromium and closes them after the test."""

    def __init__(self, chromium: Chromium) -> None:
        self.chromium = chromium
        self.built: list[BrowserFetcher] = []

    def __call__(
        self, guard: UrlGuard | None = None, browser: dict[str, object] | None = None, **fetch: object
    ) -> BrowserFetcher:
        settings = FetchSettings(
            **{"timeout": 10.0, "browser": {"idle_timeout": 1.0, **(browser or {})}, **fetch}
        )
        fetcher = BrowserFetcher(
            settings,
            FrozenClock.on(date(2025, 11, 28)),
            guard or UrlGuard(["127.0.0.1/32"]),
            chromium=self.chromium,
        )
        self.built.append(fetcher)
        return fetcher


def get(url: str) -> FetchRequest:
    return FetchRequest(url=url, source="test")


async def test_javascript_banner_is_in_the_rendered_page(
    server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher().fetch(get(server.url + "/sale"))
    raw = httpx.get(server.url + "/sale").text
    assert result.outcome is Outcome.OK, result.reason
    assert BANNER in result.text()
    assert BANNER not in raw
    assert result.content_type == "text/html; charset=utf-8"
    assert result.http_status == 200
    assert result.final_url == server.url + "/sale"
    [attempt] = result.attempts
    assert (attempt.tier, attempt.outcome, attempt.http_status) == ("browser", Outcome.OK, 200)
    assert attempt.bytes == len(result.content)


async def test_images_and_fonts_are_not_downloaded_when_blocked(
    server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher().fetch(get(server.url + "/sale"))
    assert result.ok
    assert HITS["/sale"] == 1
    assert HITS["/asset/logo.png"] == HITS["/asset/shop.woff2"] == 0


async def test_images_and_fonts_are_downloaded_when_nothing_is_blocked(
    server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher(browser={"block_resources": []}).fetch(get(server.url + "/sale"))
    assert result.ok
    assert HITS["/asset/logo.png"] == 1
    assert HITS["/asset/shop.woff2"] == 1


async def test_user_agent_comes_from_the_request_else_settings(
    server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    fetcher = make_fetcher(user_agent="dealwatch-test/1 (ops@example.org)")
    default = await fetcher.fetch(get(server.url + "/ua"))
    asked = await fetcher.fetch(FetchRequest(url=server.url + "/ua", source="t", user_agent="Custom/2"))
    assert "dealwatch-test/1 (ops@example.org)" in default.text()
    assert "Custom/2" in asked.text()


@pytest.mark.parametrize(
    ("path", "outcome", "reason"),
    [("/forbidden", Outcome.BLOCKED, "HTTP 403"), ("/missing", Outcome.FAILED, "HTTP 404")],
)
async def test_error_statuses(
    server: LoopbackServer, make_fetcher: Fetchers, path: str, outcome: Outcome, reason: str
) -> None:
    result = await make_fetcher().fetch(get(server.url + path))
    assert (result.outcome, result.reason, result.http_status) == (outcome, reason, int(reason[-3:]))
    assert result.content == b""
    assert result.attempts[0].outcome is outcome


async def test_page_that_never_finishes_fails_within_the_time_cap(
    server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    t0 = time.perf_counter()
    result = await make_fetcher(timeout=1.5).fetch(get(server.url + "/hanging"))
    elapsed = time.perf_counter() - t0
    assert result.outcome is Outcome.FAILED
    assert result.reason is not None and result.reason.startswith("timeout")
    assert elapsed < 4


async def test_page_larger_than_the_limit_fails(server: LoopbackServer, make_fetcher: Fetchers) -> None:
    result = await make_fetcher(max_bytes=100).fetch(get(server.url + "/sale"))
    assert result.outcome is Outcome.FAILED
    assert result.reason == "page larger than 100 bytes"


async def test_loopback_is_refused_unless_allowed(server: LoopbackServer, make_fetcher: Fetchers) -> None:
    refused = await make_fetcher(guard=UrlGuard()).fetch(get(server.url + "/sale"))
    assert refused.outcome is Outcome.FAILED
    assert refused.reason is not None and "non-public address" in refused.reason
    assert HITS["/sale"] == 0
    allowed = await make_fetcher(guard=UrlGuard(["127.0.0.0/8"])).fetch(get(server.url + "/sale"))
    assert allowed.ok
    assert HITS["/sale"] == 1


async def test_redirect_to_a_refused_address_is_never_followed(
    server: LoopbackServer, other_server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher().fetch(get(f"{server.url}/redirect-out?to={other_server.url}/admin"))
    assert result.outcome is Outcome.FAILED
    assert result.reason is not None and "127.0.0.2" in result.reason
    assert HITS["other"] == 0


async def test_subresource_redirect_to_a_refused_address_is_never_followed(
    server: LoopbackServer, other_server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher().fetch(get(f"{server.url}/fetch-out?to={other_server.url}/admin"))
    assert result.ok
    assert HITS["other"] == 0


async def test_other_host_is_reachable_when_allowed(
    other_server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    result = await make_fetcher(guard=UrlGuard(["127.0.0.0/8"])).fetch(get(other_server.url + "/admin"))
    assert result.ok
    assert HITS["other"] == 1


async def test_no_more_pages_than_max_pages_render_at_once(
    server: LoopbackServer, make_fetcher: Fetchers
) -> None:
    fetcher = make_fetcher(browser={"max_pages": 2})
    results = await asyncio.gather(*(fetcher.fetch(get(server.url + "/slow")) for _ in range(4)))
    assert all(r.ok for r in results)
    assert SLOW.most == 2


async def test_factory_refuses_without_chromium() -> None:
    settings = Settings(fetch={"browser": {"executable": "/nonexistent/chromium"}})
    with pytest.raises(NotConfigured, match="apt-get install chromium"):
        build_browser(settings, FrozenClock.on(date(2025, 1, 1)))


async def test_factory_builds_with_chromium() -> None:
    fetcher = build_browser(Settings(), FrozenClock.on(date(2025, 1, 1)))
    assert fetcher.name == "browser"
    await fetcher.aclose()


async def _proxy_exchange(proxy: GuardProxy, request: bytes) -> bytes:
    host, port = (await proxy.url()).removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    answer = await reader.read(4096)
    writer.close()
    return answer


async def test_proxy_tunnels_to_allowed_addresses_only(
    server: LoopbackServer, other_server: LoopbackServer
) -> None:
    proxy = GuardProxy(UrlGuard(["127.0.0.1/32"]))
    allowed = server.url.removeprefix("http://")
    refused = other_server.url.removeprefix("http://")
    try:
        host, port = (await proxy.url()).removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"CONNECT {allowed} HTTP/1.1\r\nHost: {allowed}\r\n\r\n".encode())
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        writer.write(f"GET /ua HTTP/1.1\r\nHost: {allowed}\r\nUser-Agent: tunnel\r\n\r\n".encode())
        assert b"tunnel" in await reader.readuntil(b"</html>")
        writer.close()
        answer = await _proxy_exchange(proxy, f"CONNECT {refused} HTTP/1.1\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 403")
        answer = await _proxy_exchange(proxy, f"GET http://{refused}/x HTTP/1.1\r\n\r\n".encode())
        assert answer == b""
        assert HITS["other"] == 0
    finally:
        await proxy.aclose()


async def test_a_site_with_an_operator_profile_renders_logged_in_and_keeps_the_session(
    server: LoopbackServer, make_fetcher: Fetchers, chromium: Chromium, tmp_path: Path
) -> None:
    profile = tmp_path / "chromium-profile"
    # The operator logs in once, by hand, in their own Chromium profile (played here by a script).
    operator = await chromium.persistent(str(profile))
    page = await operator.new_page()
    await page.goto(server.url + "/login")
    await operator.close()

    anonymous = await make_fetcher().fetch(get(server.url + "/members"))
    assert "login_form" in anonymous.text()

    fetcher = make_fetcher(browser={"profiles": {"127.0.0.1": str(profile)}})
    first, second = await asyncio.gather(  # at once: one profile, opened once
        fetcher.fetch(get(server.url + "/members")), fetcher.fetch(get(server.url + "/members"))
    )
    for result in (first, second):
        assert result.outcome is Outcome.OK, result.reason
        assert "Road bike" in result.text() and "login_form" not in result.text()
    [context] = [await task for task in fetcher._profiles.values()]
    # Each fetch's page is closed (Chromium's own first blank tab stays); the profile stays open.
    assert [page.url for page in context.pages] == ["about:blank"]
    await fetcher.aclose()
    assert fetcher._profiles == {}
