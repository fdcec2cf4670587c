"""A fake Firecrawl v1 scrape API on loopback, for tests and the demo: the real wire protocol, no JavaScript.

It checks the bearer key and the request body as Firecrawl does, fetches the target page itself and
answers with its raw HTML, a crude markdown (the page text) and `metadata.statusCode`. Failures the
real service gives (402, 429, 500...) can be queued with `fail_next`. Serve `FakeFirecrawl().app`
with `dealwatch.testing.LoopbackServer`.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import httpx
from selectolax.lexbor import LexborHTMLParser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FORMATS = frozenset({"markdown", "html", "rawHtml", "links", "screenshot", "json"})
ERRORS = {
    402: "Payment required to access this resource.",
    429: "Rate limit exceeded. Consumed (req/min): 11, Remaining (req/min): 0.",
    500: "An unexpected error occurred. Please contact help@firecrawl.com for help.",
}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"success": False, "error": message}, status_code=status, headers=headers)


class FakeFirecrawl:
    """`POST /v1/scrape` as Firecrawl answers it; `calls` counts every request that reached it."""

    def __init__(self, api_key: str = "fc-test-key") -> None:
        self.api_key = api_key
        self.calls = 0
        self.bodies: list[dict[str, Any]] = []
        self._failures: deque[tuple[int, dict[str, str]]] = deque()
        self.app = Starlette(routes=[Route("/v1/scrape", self._scrape, methods=["POST"])])

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` authorised calls with `status` (e.g. 402, 429, 500)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self._failures.extend([(status, headers)] * times)

    async def _scrape(self, request: Request) -> JSONResponse:
        self.calls += 1
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Unauthorized: Invalid token")
        if self._failures:
            status, headers = self._failures.popleft()
            return _error(status, ERRORS.get(status, f"HTTP {status}"), headers)
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "Bad Request: body is not JSON")
        problem = _invalid(body)
        if problem:
            return _error(400, f"Bad Request: {problem}")
        self.bodies.append(body)
        try:
            async with httpx.AsyncClient(
                follow_redirects=True, timeout=body.get("timeout", 30000) / 1000
            ) as c:
                page = await c.get(body["url"])
        except httpx.HTTPError as exc:
            return _error(500, f"Request failed: {type(exc).__name__} fetching {body['url']}")
        tree = LexborHTMLParser(page.text)
        title = tree.css_first("title")
        data: dict[str, Any] = {
            "metadata": {
                "title": title.text(strip=True) if title else "",
                "sourceURL": body["url"],
                "url": str(page.url),
                "statusCode": page.status_code,
            }
        }
        formats = body.get("formats", ["markdown"])
        if "html" in formats or "rawHtml" in formats:
            data["html" if "html" in formats else "rawHtml"] = page.text
        if "markdown" in formats:
            data["markdown"] = tree.body.text(separator="\n", strip=True) if tree.body else ""
        return JSONResponse({"success": True, "data": data})


def _invalid(body: Any) -> str | None:
    """What is wrong with a scrape request body, as Firecrawl's validation would say it."""
    if not isinstance(body, dict):
        return "expected a JSON object"
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return "url: Invalid URL"
    formats = body.get("formats", ["markdown"])
    if not isinstance(formats, list) or not set(formats) <= FORMATS:
        return f"formats: expected a list of {sorted(FORMATS)}"
    for key in ("waitFor", "timeout"):
        if key in body and not (isinstance(body[key], int) and body[key] >= 0):
            return f"{key}: expected a non-negative integer"
    if "onlyMainContent" in body and not isinstance(body["onlyMainContent"], bool):
        return "onlyMainContent: expected a boolean"
    return None
