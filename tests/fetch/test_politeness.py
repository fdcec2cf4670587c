"""Per-host spacing, robots.txt reading rules (RFC 9309) and Retry-After parsing."""

from __future__ import annotations

import asyncio
import itertools

from dealwatch.fetch.politeness import (
    HostGate,
    RobotsCache,
    RobotsGetter,
    backoff_delay,
    host_of,
    retry_after_seconds,
)


class FakeTime:
    """A monotonic clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_requests_to_one_host_are_spaced_by_the_delay_other_hosts_are_not() -> None:
    fake = FakeTime()
    gate = HostGate(concurrency=1, delay=2.0, seconds=fake.monotonic, sleep=fake.sleep)
    order: list[tuple[str, float]] = []

    async def visit(host: str) -> None:
        async with gate.slot(host):
            order.append((host, fake.now))

    await asyncio.gather(visit("a.example"), visit("a.example"), visit("b.example"), visit("a.example"))
    a_times = [t for host, t in order if host == "a.example"]
    assert [later - earlier for earlier, later in itertools.pairwise(a_times)] == [2.0, 2.0]
    assert fake.sleeps == [2.0, 2.0]


async def test_crawl_delay_raises_the_spacing() -> None:
    fake = FakeTime()
    gate = HostGate(concurrency=1, delay=0.5, seconds=fake.monotonic, sleep=fake.sleep)
    for _ in range(2):
        async with gate.slot("a", min_delay=5.0):
            pass
    assert fake.sleeps == [5.0]


def robots_getter(answers: dict[str, tuple[int | None, str]]) -> tuple[RobotsGetter, list[str]]:
    calls: list[str] = []

    async def get(url: str) -> tuple[int | None, str]:
        calls.append(url)
        return answers[host_of(url)]

    return get, calls


async def test_robots_rules_follow_rfc_9309_and_are_cached() -> None:
    get, calls = robots_getter(
        {
            "shop.test": (200, "User-agent: *\nDisallow: /cart\nCrawl-delay: 3\n"),
            "absent.test": (404, ""),
            "broken.test": (503, ""),
            "down.test": (None, ""),
        }
    )
    robots = RobotsCache(get, ttl=3600)
    ua = "dealwatch/0.1"
    home = await robots.check("http://shop.test/", ua)
    assert home.allowed and home.crawl_delay == 3.0
    assert not (await robots.check("http://shop.test/cart", ua)).allowed
    assert (await robots.check("http://absent.test/", ua)).allowed
    assert not (await robots.check("http://broken.test/", ua)).allowed
    assert not (await robots.check("http://down.test/", ua)).allowed
    assert calls.count("http://shop.test/robots.txt") == 1


def test_retry_after_and_backoff() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    for attempt in (1, 2, 3):
        ceiling = 2.0 * 2 ** (attempt - 1)
        assert ceiling / 2 <= backoff_delay(attempt, 2.0) <= ceiling
