"""Tier `http`: a plain async GET with httpx, retried with backoff, every attempt recorded.

Politeness (robots.txt, per-host spacing) and block detection are the ladder's; this tier owns the
request itself: conditional headers, the SSRF guard on every hop, size and redirect limits, retries.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from dealwatch.core.clock import Clock
from dealwatch.fetch.base import Attempt, FetchRequest, FetchResult, Outcome
from dealwatch.fetch.politeness import Sleep, backoff_delay, retry_after_seconds
from dealwatch.fetch.safety import UnsafeURL, UrlGuard, guarded_client
from dealwatch.settings import FetchSettings

RETRY_STATUSES = frozenset({429, 503})
BLOCK_STATUSES = frozenset({403, 429, 503})


class PageTooLarge(Exception):
    """The body passed the size limit."""


class HttpFetcher:
    """Fetches with httpx and retries 429/503, timeouts and connection errors."""

    name = "http"

    def __init__(
        self,
        settings: FetchSettings,
        clock: Clock,
        guard: UrlGuard,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._sleep = sleep
        self._client = guarded_client(settings, guard, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """GET `request.url`, retrying within budget; the result says how it ended."""
        headers = {"User-Agent": request.user_agent or self.settings.user_agent}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        attempts: list[Attempt] = []
        number = 0
        while True:
            number += 1
            result, wait = await self._attempt(request, headers, number)
            attempts.extend(result.attempts)
            result.attempts = attempts
            if wait is None or number > self.settings.max_retries:
                return result
            await self._sleep(wait)

    async def _attempt(
        self, request: FetchRequest, headers: dict[str, str], number: int
    ) -> tuple[FetchResult, float | None]:
        """One try. Returns the result and, when worth retrying, how long to wait first."""
        fetched_at = self.clock.now()
        t0 = time.perf_counter()
        status: int | None = None
        body = b""
        response_headers: dict[str, str] = {}
        final_url: str | None = None
        retry_wait: float | None = None
        reason: str | None
        try:
            async with self._client.stream("GET", request.url, headers=headers) as response:
                status = response.status_code
                final_url = str(response.url)
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                body = await self._read_capped(response)
        except UnsafeURL as exc:
            outcome, reason = Outcome.FAILED, f"refused by the SSRF guard: {exc}"
        except PageTooLarge:
            outcome, reason = Outcome.FAILED, f"page larger than {self.settings.max_bytes} bytes"
        except httpx.TooManyRedirects:
            outcome, reason = Outcome.FAILED, f"more than {self.settings.max_redirects} redirects"
        except httpx.TimeoutException as exc:
            outcome, reason = Outcome.FAILED, f"timeout: {type(exc).__name__}"
            retry_wait = backoff_delay(number, self.settings.backoff_base)
        except httpx.HTTPError as exc:
            outcome, reason = Outcome.FAILED, f"{type(exc).__name__}: {exc}".rstrip(": ")
            retry_wait = backoff_delay(number, self.settings.backoff_base)
        else:
            outcome, reason, retry_wait = self._classify(status, response_headers.get("retry-after"), number)

        attempt = Attempt(
            tier=self.name,
            number=number,
            started_at=fetched_at,
            duration_ms=int((time.perf_counter() - t0) * 1000),
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
            content=body,
            content_type=response_headers.get("content-type", "text/html"),
            reason=reason,
            attempts=[attempt],
            etag=response_headers.get("etag"),
            last_modified=response_headers.get("last-modified"),
            headers=response_headers,
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
