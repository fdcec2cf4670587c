"""Tier `http`: a plain async GET with httpx, polite and retried, every attempt recorded."""

from __future__ import annotations

import asyncio
import time

import httpx

from dealwatch.core.clock import Clock
from dealwatch.fetch.base import Attempt, FetchRequest, FetchResult, Outcome
from dealwatch.fetch.politeness import (
    HostGate,
    RobotsCache,
    Sleep,
    backoff_delay,
    host_of,
    retry_after_seconds,
)
from dealwatch.settings import FetchSettings

RETRY_STATUSES = frozenset({429, 503})
BLOCK_STATUSES = frozenset({403, 429, 503})


class PageTooLarge(Exception):
    """The body passed the size limit."""


class HttpFetcher:
    """Fetches with httpx: robots.txt first, one request at a time per host, retries on 429/503."""

    name = "http"

    def __init__(
        self,
        settings: FetchSettings,
        clock: Clock,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=True,
            max_redirects=10,
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            },
            limits=httpx.Limits(
                max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
            ),
        )
        self.gate = HostGate(
            settings.per_host_concurrency, settings.per_host_delay, seconds=self._clock_seconds, sleep=sleep
        )
        self.robots = RobotsCache(self._get_robots, settings.robots_ttl, seconds=self._clock_seconds)
        self._overall = asyncio.Semaphore(settings.concurrency)

    def _clock_seconds(self) -> float:
        return self.clock.now().timestamp()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get_robots(self, url: str) -> tuple[int | None, str]:
        host = host_of(url)
        try:
            async with self.gate.slot(host):
                response = await self._client.get(url)
        except httpx.HTTPError:
            return None, ""
        return response.status_code, response.text

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch `request.url` politely; the result says how it ended."""
        user_agent = request.user_agent or self.settings.user_agent
        started = self.clock.now()
        crawl_delay = 0.0
        if self.settings.obey_robots:
            verdict = await self.robots.check(request.url, user_agent)
            if not verdict.allowed:
                return FetchResult(
                    url=request.url,
                    outcome=Outcome.FAILED if verdict.unreadable else Outcome.ROBOTS_DISALLOWED,
                    tier=self.name,
                    fetched_at=started,
                    reason=verdict.reason,
                )
            crawl_delay = verdict.crawl_delay or 0.0

        attempts: list[Attempt] = []
        number = 0
        async with self._overall:
            while True:
                number += 1
                result, wait = await self._attempt(request, user_agent, number, crawl_delay)
                attempts.extend(result.attempts)
                result.attempts = attempts
                if wait is None or number > self.settings.max_retries:
                    return result
                await self._sleep(wait)

    async def _attempt(
        self, request: FetchRequest, user_agent: str, number: int, crawl_delay: float
    ) -> tuple[FetchResult, float | None]:
        """One try. Returns the result and, when worth retrying, how long to wait first."""
        host = host_of(request.url)
        fetched_at = self.clock.now()
        t0 = time.perf_counter()
        status: int | None = None
        body = b""
        content_type = "text/html"
        final_url: str | None = None
        retry_after: str | None = None
        retry_wait: float | None = None
        reason: str | None
        try:
            async with (
                self.gate.slot(host, crawl_delay),
                self._client.stream("GET", request.url, headers={"User-Agent": user_agent}) as response,
            ):
                status = response.status_code
                final_url = str(response.url)
                content_type = response.headers.get("content-type", "text/html")
                retry_after = response.headers.get("retry-after")
                body = await self._read_capped(response)
        except PageTooLarge:
            outcome, reason = Outcome.FAILED, f"page larger than {self.settings.max_bytes} bytes"
        except httpx.TimeoutException as exc:
            outcome, reason = Outcome.FAILED, f"timeout: {type(exc).__name__}"
            retry_wait = backoff_delay(number, self.settings.backoff_base)
        except httpx.TooManyRedirects:
            outcome, reason = Outcome.FAILED, "too many redirects"
        except httpx.HTTPError as exc:
            outcome, reason = Outcome.FAILED, f"{type(exc).__name__}: {exc}"
            retry_wait = backoff_delay(number, self.settings.backoff_base)
        else:
            outcome, reason, retry_wait = self._classify(status, retry_after, number)

        duration_ms = int((time.perf_counter() - t0) * 1000)
        attempt = Attempt(
            tier=self.name,
            number=number,
            started_at=fetched_at,
            duration_ms=duration_ms,
            outcome=outcome,
            http_status=status,
            bytes=len(body),
            reason=reason,
        )
        result = FetchResult(
            url=request.url,
            outcome=outcome,
            tier=self.name,
            fetched_at=fetched_at,
            final_url=final_url,
            http_status=status,
            content=body if outcome is Outcome.OK else b"",
            content_type=content_type,
            reason=reason,
            attempts=[attempt],
        )
        return result, retry_wait

    def _classify(
        self, status: int | None, retry_after: str | None, number: int
    ) -> tuple[Outcome, str | None, float | None]:
        assert status is not None
        if 200 <= status < 300:
            return Outcome.OK, None, None
        if status == 304:
            return Outcome.NOT_MODIFIED, None, None
        if status in RETRY_STATUSES:
            asked = retry_after_seconds(retry_after, now=self.clock.now().timestamp())
            if asked is not None and asked > self.settings.max_retry_after:
                return Outcome.BLOCKED, f"HTTP {status}; Retry-After {asked:.0f}s exceeds the limit", None
            wait = asked if asked is not None else backoff_delay(number, self.settings.backoff_base)
            return Outcome.BLOCKED, f"HTTP {status}", wait
        if status in BLOCK_STATUSES:
            return Outcome.BLOCKED, f"HTTP {status}", None
        return Outcome.FAILED, f"HTTP {status}", None

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
            raise PageTooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.settings.max_bytes:
                raise PageTooLarge
            chunks.append(chunk)
        return b"".join(chunks)
