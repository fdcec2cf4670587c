"""The TaskRunner seam. The inline runner runs items concurrently on this process's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class TaskRunner(Protocol):
    """Runs one async function over many items and returns the results in order."""

    async def map(self, fn: Callable[[T], Awaitable[R]], items: Sequence[T]) -> list[R]:
        """Apply `fn` to every item."""
        ...


class InlineRunner:
    """The embedded default: asyncio tasks, at most `concurrency` at a time."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency

    async def map(self, fn: Callable[[T], Awaitable[R]], items: Sequence[T]) -> list[R]:
        semaphore = asyncio.Semaphore(self.concurrency)

        async def bounded(item: T) -> R:
            async with semaphore:
                return await fn(item)

        return list(await asyncio.gather(*(bounded(item) for item in items)))
