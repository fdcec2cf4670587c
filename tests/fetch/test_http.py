"""The http tier against a real server on loopback: retries, Retry-After, limits, validators, SSRF guard."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dealwatch.core.clock import FrozenClock
from dealwatch.fetch.base import FetchRequest, Outcome
from dealwatch.fetch.http import HttpFetcher
from dealwatch.fetch.safety import UrlGuard
from dealwatch.settings import FetchSettings
from dealwatch.testing import LoopbackServer

HITS: Counter[str] = Counter()
ROBOTS = "User-agent: *\nDisallow: /private\nCrawl-delay: 0\n"


async def robots(request: Request) -> Response:
    return PlainTextResponse(ROBOTS)


async def page(request: Request) -> Response:
    HITS[request.url.path] += 1
    return Response("<html><body><h1>Hello</h1></body></html>", media_type="text/html; charset=utf-8")


async def flaky(request: Request) -> Response:
    HITS["flaky"] += 1
    if HITS["flaky"] <= 2:
        return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "3"})
    return Response("<p>finally</p>", media_type="text/html")


async def unavailable(request: Request) -> Response:
    HITS["unavailable"] += 1
    return PlainTextResponse("down", status_code=503)


async def forbidden(request: Request) -> Response:
    HITS["forbidden"] += 1
    return PlainTextResponse("no", status_code=403)


async def big(request: Request) -> Response:
    return Response("x" * 5000, media_type="text/html")


async def loop(request: Request) -> Response:
    return RedirectResponse("/loop")


async def to_metadata(request: Request) -> Response:
    return RedirectResponse("http://169.254.169.254/latest/meta-data/")


async def etag(request: Request) -> Response:
    if request.headers.get("if-none-match") == '"v1"':
        return Response(status_code=304)
    headers = {"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2025 07:28:00 GMT"}
    return Response("<p>stable page</p>", media_type="text/html", headers=headers)


APP = Starlette(
    routes=[
        Route("/robots.txt", robots),
        Route("/", page),
        Route("/private/secret", page),
        Route("/flaky", flaky),
        Route("/unavailable", unavailable),
        Route("/forbidden", forbidden),
        Route("/big", big),
        Route("/loop", loop),
        Route("/to-metadata", to_metadata),
        Route("/etag", etag),
    ]
)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(APP) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset_hits() -> None:
    HITS.clear()


class Sleeps:
    """Records the waits the fetcher asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_fetcher(sleeps: Sleeps, **overrides: object) -> HttpFetcher:
    settings = FetchSettings(**{"per_host_delay": 0.0, "max_retries": 2, "backoff_base": 0.5, **overrides})
    return HttpFetcher(settings, FrozenClock.on(date(2025, 1, 1)), UrlGuard(["127.0.0.0/8"]), sleep=sleeps)


async def test_ok_page_is_fetched_with_one_recorded_attempt(server: LoopbackServer) -> None:
    fetcher = make_fetcher(Sleeps())
    result = await fetcher.fetch(FetchRequest(url=server.url + "/", source="s"))
    await fetcher.aclose()
    assert result.outcome is Outcome.OK
    assert "<h1>Hello</h1>" in result.text()
    assert [a.http_status for a in result.attempts] == [200]
    assert result.attempts[0].bytes == len(result.content)


async def test_429_is_retried_honouring_retry_after(server: LoopbackServer) -> None:
    sleeps = Sleeps()
    fetcher = make_fetcher(sleeps)
    result = await fetcher.fetch(FetchRequest(url=server.url + "/flaky", source="s"))
    await fetcher.aclose()
    assert result.outcome is Outcome.OK
    assert [a.http_status for a in result.attempts] == [429, 429, 200]
    assert sleeps.waits == [3.0, 3.0]


async def test_retries_never_exceed_their_budget(server: LoopbackServer) -> None:
    sleeps = Sleeps()
    fetcher = make_fetcher(sleeps, max_retries=2)
    result = await fetcher.fetch(FetchRequest(url=server.url + "/unavailable", source="s"))
    await fetcher.aclose()
    assert result.outcome is Outcome.BLOCKED
    assert HITS["unavailable"] == 3
    assert len(result.attempts) == 3
    assert len(sleeps.waits) == 2
    assert all(0.25 <= wait <= 2.0 for wait in sleeps.waits)  # backoff 0.5·2^(n-1) with jitter


async def test_retry_after_beyond_the_limit_gives_up_at_once(server: LoopbackServer) -> None:
    sleeps = Sleeps()
    fetcher = make_fetcher(sleeps, max_retry_after=1.0)
    result = await fetcher.fetch(FetchRequest(url=server.url + "/flaky", source="s"))
    await fetcher.aclose()
    assert result.outcome is Outcome.BLOCKED
    assert "exceeds" in (result.reason or "")
    assert sleeps.waits == []


async def test_403_is_blocked_without_retry(server: LoopbackServer) -> None:
    fetcher = make_fetcher(Sleeps())
    result = await fetcher.fetch(FetchRequest(url=server.url + "/forbidden", source="s"))
    await fetcher.aclose()
    assert (result.outcome, HITS["forbidden"]) == (Outcome.BLOCKED, 1)


async def test_size_and_redirect_limits_fail_cleanly(server: LoopbackServer) -> None:
    fetcher = make_fetcher(Sleeps(), max_bytes=1000)
    too_big = await fetcher.fetch(FetchRequest(url=server.url + "/big", source="s"))
    looping = await fetcher.fetch(FetchRequest(url=server.url + "/loop", source="s"))
    await fetcher.aclose()
    assert too_big.outcome is Outcome.FAILED and "larger than 1000" in (too_big.reason or "")
    assert looping.outcome is Outcome.FAILED and "redirects" in (looping.reason or "")


async def test_conditional_get_sends_validators(server: LoopbackServer) -> None:
    fetcher = make_fetcher(Sleeps())
    first = await fetcher.fetch(FetchRequest(url=server.url + "/etag", source="s"))
    again = await fetcher.fetch(
        FetchRequest(url=server.url + "/etag", source="s", etag=first.etag, last_modified=first.last_modified)
    )
    await fetcher.aclose()
    assert first.outcome is Outcome.OK and first.etag == '"v1"' and first.last_modified
    assert again.outcome is Outcome.NOT_MODIFIED and again.content == b""


async def test_ssrf_guard_refuses_private_addresses_and_redirects_into_them(server: LoopbackServer) -> None:
    settings = FetchSettings(per_host_delay=0.0, max_retries=0)
    public_only = HttpFetcher(settings, FrozenClock.on(date(2025, 1, 1)), UrlGuard(), sleep=Sleeps())
    direct = await public_only.fetch(FetchRequest(url=server.url + "/", source="s"))
    await public_only.aclose()
    assert direct.outcome is Outcome.FAILED and "SSRF" in (direct.reason or "")
    assert HITS["/"] == 0
    allowed = make_fetcher(Sleeps())
    hop = await allowed.fetch(FetchRequest(url=server.url + "/to-metadata", source="s"))
    await allowed.aclose()
    assert hop.outcome is Outcome.FAILED and "169.254.169.254" in (hop.reason or "")


async def test_unreachable_host_fails_after_retries() -> None:
    sleeps = Sleeps()
    fetcher = make_fetcher(sleeps, max_retries=1)
    result = await fetcher.fetch(FetchRequest(url="http://127.0.0.1:9/", source="s"))
    await fetcher.aclose()
    assert result.outcome is Outcome.FAILED
    assert len(result.attempts) == 2 and len(sleeps.waits) == 1
