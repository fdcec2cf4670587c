"""Politeness: robots.txt (Protego, RFC 9309), per-host concurrency and spacing, and retry backoff."""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from protego import Protego

Sleep = Callable[[float], Awaitable[None]]
# Fetches a robots.txt URL: returns (HTTP status or None when unreachable, body text).
RobotsGetter = Callable[[str], Awaitable[tuple[int | None, str]]]


def host_of(url: str) -> str:
    """'https://Shop.example.com:8443/x' -> 'shop.example.com:8443' (the politeness key)."""
    parts = urlsplit(url)
    return parts.netloc.lower()


class HostGate:
    """At most `concurrency` requests in flight per host, and `delay` seconds between them.

    Time is read from `seconds` (the injected clock, so date-stepped runs space requests in
    simulated time); a wait is never longer than the delay, whatever the clock does.
    """

    def __init__(
        self,
        concurrency: int,
        delay: float,
        *,
        seconds: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._concurrency = concurrency
        self._delay = delay
        self._seconds = seconds
        self._sleep = sleep
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._last_done: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, host: str, min_delay: float = 0.0) -> AsyncIterator[None]:
        """Hold one of the host's slots, after waiting out the delay since its last request."""
        semaphore = self._semaphores.setdefault(host, asyncio.Semaphore(self._concurrency))
        async with semaphore:
            delay = max(self._delay, min_delay)
            last = self._last_done.get(host)
            if last is not None and delay > 0:
                wait = min(delay, last + delay - self._seconds())
                if wait > 0:
                    await self._sleep(wait)
            try:
                yield
            finally:
                self._last_done[host] = self._seconds()


@dataclass(frozen=True, slots=True)
class RobotsVerdict:
    """Whether a URL may be fetched and the Crawl-delay its site asks for."""

    allowed: bool
    crawl_delay: float | None = None
    reason: str | None = None
    # True when robots.txt itself could not be read (5xx, network error): the site is failing, not refusing.
    unreadable: bool = False


class _Rules:
    """A parsed robots.txt, or a blanket allow/deny when it could not be read."""

    def __init__(self, parser: Protego | None, allow_all: bool, note: str | None = None) -> None:
        self.parser = parser
        self.allow_all = allow_all
        self.note = note

    def verdict(self, url: str, user_agent: str) -> RobotsVerdict:
        if self.parser is None:
            if self.allow_all:
                return RobotsVerdict(True)
            return RobotsVerdict(False, reason=self.note, unreadable=True)
        agent = user_agent.split("/")[0]
        if not self.parser.can_fetch(url, agent):
            return RobotsVerdict(False, reason="disallowed by robots.txt")
        delay = self.parser.crawl_delay(agent)
        return RobotsVerdict(True, crawl_delay=float(delay) if delay is not None else None)


class RobotsCache:
    """robots.txt per host, fetched once per `ttl` seconds, read as RFC 9309 says.

    4xx (file absent) allows everything; 5xx or an unreachable host disallows everything for now.
    """

    def __init__(self, getter: RobotsGetter, ttl: float, *, seconds: Callable[[], float] = time.monotonic):
        self._getter = getter
        self._ttl = ttl
        self._seconds = seconds
        self._rules: dict[str, tuple[float, _Rules]] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def check(self, url: str, user_agent: str) -> RobotsVerdict:
        """May `user_agent` fetch `url`?"""
        parts = urlsplit(url)
        host = parts.netloc.lower()
        async with self._locks[host]:
            cached = self._rules.get(host)
            if cached is None or self._seconds() - cached[0] > self._ttl:
                rules = await self._load(f"{parts.scheme}://{parts.netloc}/robots.txt")
                cached = (self._seconds(), rules)
                self._rules[host] = cached
        return cached[1].verdict(url, user_agent)

    async def _load(self, robots_url: str) -> _Rules:
        status, body = await self._getter(robots_url)
        if status is None:
            return _Rules(None, allow_all=False, note="robots.txt unreachable")
        if 200 <= status < 300:
            return _Rules(Protego.parse(body), allow_all=True)
        if 400 <= status < 500:
            return _Rules(None, allow_all=True)
        return _Rules(None, allow_all=False, note=f"robots.txt answered HTTP {status}")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    reference = time.time() if now is None else now
    return max(0.0, moment.timestamp() - reference)


def backoff_delay(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with equal jitter: between half and all of base * 2**(attempt-1)."""
    ceiling = base * (2 ** max(0, attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


class Politeness:
    """robots.txt and per-host spacing for one process, shared by every fetch tier."""

    def __init__(self, robots: RobotsCache, gate: HostGate, *, obey_robots: bool = True) -> None:
        self.robots = robots
        self.gate = gate
        self.obey_robots = obey_robots

    async def robots_verdict(self, url: str, user_agent: str) -> RobotsVerdict:
        """May `user_agent` fetch `url`? Always yes when robots.txt is not obeyed."""
        if not self.obey_robots:
            return RobotsVerdict(True)
        return await self.robots.check(url, user_agent)
