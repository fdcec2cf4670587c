"""Retries with exponential backoff around any provider, honouring Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime

import structlog

from dealwatch.core.clock import Clock
from dealwatch.llm.base import LLMError, Message, Provider, Reply, TransientLLMError

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def retry_after_seconds(value: str | None, clock: Clock) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - clock.now()).total_seconds())


class RetryingProvider:
    """A provider that retries transient failures `max_retries` times, then raises LLMError."""

    def __init__(
        self,
        inner: Provider,
        clock: Clock,
        *,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        max_wait: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.clock = clock
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_wait = max_wait
        self.sleep = sleep

    async def aclose(self) -> None:
        """Close the wrapped provider."""
        await self.inner.aclose()

    async def send(self, system: str, messages: list[Message], max_tokens: int) -> Reply:
        """Send, waiting and retrying on TransientLLMError."""
        attempt = 0
        while True:
            try:
                return await self.inner.send(system, messages, max_tokens)
            except TransientLLMError as exc:
                if attempt >= self.max_retries:
                    raise LLMError(f"{self.name}: gave up after {attempt} retries: {exc}") from exc
                told = retry_after_seconds(exc.retry_after, self.clock)
                wait = min(told if told is not None else self.backoff_base * 2**attempt, self.max_wait)
                log.info("llm retry", provider=self.name, status=exc.status, wait=wait, attempt=attempt + 1)
                await self.sleep(wait)
                attempt += 1
