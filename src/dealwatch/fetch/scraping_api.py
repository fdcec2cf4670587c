"""Tier `scraping_api`: pages fetched by a Firecrawl-compatible API (cloud or self-hosted), cost recorded.

`POST {base_url}/v1/scrape` with a bearer key; the rendered HTML is the page and `metadata.statusCode`
is the site's answer. The provider fetches remotely, so only what needs no DNS is checked here:
the scheme, and private IP literals (a host name is resolved, and guarded, by the provider).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from dealwatch.core.clock import Clock
from dealwatch.core.errors import FetchError, NotConfigured
from dealwatch.fetch.base import Attempt, FetchRequest, FetchResult, Outcome
from dealwatch.fetch.politeness import Sleep, retry_after_seconds
from dealwatch.fetch.safety import UrlGuard
from dealwatch.settings import FetchSettings, Settings

HTML = "text/html; charset=utf-8"
BLOCK_STATUSES = frozenset({403, 429, 503})
RATE_LIMITED = "scraping API rate limited"


def build_scraping_api(settings: Settings, clock: Clock) -> ScrapingApiFetcher:
    """The scraping-API tier, or NotConfigured when its key is not in the environment."""
    api = settings.fetch.scraping_api
    key = os.environ.get(api.api_key_env)
    if not key:
        raise NotConfigured(f"{api.api_key_env} not set")
    return ScrapingApiFetcher(settings.fetch, clock, UrlGuard(settings.fetch.allowed_networks), api_key=key)


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one API call came to."""

    outcome: Outcome
    reason: str | None = None
    status: int | None = None
    final_url: str | None = None
    html: bytes = b""
    charged: bool = False
    retry_after: float | None = None


class ScrapingApiFetcher:
    """Asks a Firecrawl-compatible API for the page; a 429 from the API is retried once, after Retry-After."""

    name = "scraping_api"

    def __init__(
        self,
        settings: FetchSettings,
        clock: Clock,
        guard: UrlGuard,
        *,
        api_key: str,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.api = settings.scraping_api
        self.clock = clock
        self.guard = guard
        self._sleep = sleep
        # The API enforces its own `timeout`; the connection gets a little longer to deliver its answer.
        self._client = httpx.AsyncClient(
            base_url=self.api.base_url,
            timeout=httpx.Timeout(self.api.timeout + 5.0),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": settings.user_agent},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Scrape `request.url` through the API; the result says how it ended and what it cost."""
        fetched_at = self.clock.now()
        try:
            await self._check_target(request.url)
        except (FetchError, ValueError) as exc:  # ValueError: a URL too malformed to parse
            refused = _Answer(Outcome.FAILED, str(exc))
            return self._result(request, fetched_at, refused, [self._attempt(1, fetched_at, 0, refused)])
        attempts: list[Attempt] = []
        for number in (1, 2):
            started = self.clock.now()
            t0 = time.perf_counter()
            answer = await self._call(request.url)
            attempts.append(self._attempt(number, started, int((time.perf_counter() - t0) * 1000), answer))
            if answer.retry_after is None or number == 2:
                break
            await self._sleep(answer.retry_after)
        return self._result(request, fetched_at, answer, attempts)

    async def _check_target(self, url: str) -> None:
        """Refuse non-http(s) URLs, and IP literals the guard refuses; host names are the provider's."""
        host = self.guard.check_shape(url)
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return
        await self.guard.check(url)

    async def _call(self, url: str) -> _Answer:
        body = {
            "url": url,
            "formats": ["html", "markdown"],
            "onlyMainContent": self.api.only_main_content,
            "waitFor": self.api.wait_for_ms,
            "timeout": int(self.api.timeout * 1000),
        }
        try:
            response = await self._client.post("/v1/scrape", json=body)
        except httpx.TimeoutException:
            return _Answer(Outcome.FAILED, f"scraping API timeout after {self.api.timeout:g}s")
        except httpx.HTTPError as exc:
            return _Answer(Outcome.FAILED, f"scraping API unreachable: {type(exc).__name__}: {exc}")
        if response.status_code == 429:
            wait = retry_after_seconds(response.headers.get("retry-after"), now=self.clock.now().timestamp())
            if wait is None:
                wait = self.settings.backoff_base
            honoured = wait if wait <= self.settings.max_retry_after else None
            return _Answer(Outcome.FAILED, RATE_LIMITED, retry_after=honoured)
        payload = _json(response)
        if not response.is_success:
            error = payload.get("error") or response.text[:200] or response.reason_phrase
            return _Answer(Outcome.FAILED, f"scraping API HTTP {response.status_code}: {error}")
        return self._read(payload)

    def _read(self, payload: dict[str, Any]) -> _Answer:
        """A 2xx answer: charged, whatever the page turned out to be."""
        if payload.get("success") is not True:
            error = payload.get("error") or "no success flag in the answer"
            return _Answer(Outcome.FAILED, f"scraping API error: {error}", charged=True)
        data = payload.get("data") or {}
        metadata = data.get("metadata") or {}
        status = metadata.get("statusCode")
        final_url = metadata.get("url") or metadata.get("sourceURL")
        if not isinstance(status, int):
            return _Answer(Outcome.FAILED, "scraping API gave no statusCode", charged=True)
        if status in BLOCK_STATUSES:
            return _Answer(Outcome.BLOCKED, f"HTTP {status}", status, final_url, charged=True)
        if not 200 <= status < 300:
            return _Answer(Outcome.FAILED, f"HTTP {status}", status, final_url, charged=True)
        html = (data.get("html") or "").encode("utf-8")
        if not html:
            return _Answer(Outcome.FAILED, "scraping API returned no html", status, final_url, charged=True)
        if len(html) > self.settings.max_bytes:
            reason = f"page larger than {self.settings.max_bytes} bytes"
            return _Answer(Outcome.FAILED, reason, status, final_url, charged=True)
        return _Answer(Outcome.OK, None, status, final_url, html, charged=True)

    def _attempt(self, number: int, started: datetime, duration_ms: int, answer: _Answer) -> Attempt:
        return Attempt(
            tier=self.name,
            number=number,
            started_at=started,
            duration_ms=duration_ms,
            outcome=answer.outcome,
            http_status=answer.status,
            bytes=len(answer.html),
            cost=self.api.cost_per_call if answer.charged else Decimal(0),
            reason=answer.reason,
        )

    def _result(
        self, request: FetchRequest, started: datetime, answer: _Answer, attempts: list[Attempt]
    ) -> FetchResult:
        return FetchResult(
            url=request.url,
            outcome=answer.outcome,
            tier=self.name,
            fetched_at=started,
            final_url=answer.final_url,
            http_status=answer.status,
            content=answer.html if answer.outcome is Outcome.OK else b"",
            content_type=HTML,
            reason=answer.reason,
            attempts=attempts,
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
