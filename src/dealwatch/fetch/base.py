"""The fetch seam: one method, `async fetch(request) -> FetchResult`, and the values it speaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    """How a fetch ended. Every fetch ends in exactly one of these."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    BLOCKED = "blocked"
    ROBOTS_DISALLOWED = "robots_disallowed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What to fetch, for whom, and what we know from last time."""

    url: str
    source: str
    user_agent: str | None = None
    # Validators from the last good fetch, for a conditional GET.
    etag: str | None = None
    last_modified: str | None = None
    # The tier to start the ladder at (learned per store); None = the cheapest.
    start_tier: str | None = None
    # Where the store's banner lives: present-but-empty there means JavaScript draws it.
    banner_selectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TierTrial:
    """One tier's turn on the ladder: did it give a usable page, and if not, why we climbed."""

    tier: str
    ok: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a URL, kept for the fetch_attempts table."""

    tier: str
    number: int
    started_at: datetime
    duration_ms: int
    outcome: Outcome
    http_status: int | None = None
    bytes: int = 0
    cost: Decimal = Decimal(0)
    reason: str | None = None


@dataclass(slots=True)
class FetchResult:
    """The end of a fetch: its outcome, the page (when ok) and every attempt made."""

    url: str
    outcome: Outcome
    tier: str
    fetched_at: datetime
    final_url: str | None = None
    http_status: int | None = None
    content: bytes = b""
    content_type: str = "text/html"
    reason: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    trials: list[TierTrial] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def cost(self) -> Decimal:
        return sum((a.cost for a in self.attempts), Decimal(0))

    def text(self) -> str:
        """The body decoded as text (charset from Content-Type, else UTF-8 with replacement)."""
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"'")
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


class Fetcher(Protocol):
    """A fetch tier."""

    name: str

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one URL; never raises for a network or HTTP failure, it reports it as the outcome."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
