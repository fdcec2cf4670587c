"""The LLM port: `complete_json(prompt, schema)` returns a validated pydantic model and what it cost.

LLMError (a DealwatchError)
├── BudgetExceeded         the rolling 24 h spend limit is reached: the LLM tier pauses
└── TransientLLMError      429 / 5xx / timeout / connection error: worth retrying after a wait

A `Provider` is the thin seam over one vendor's SDK (one raw chat call); `LLMClient` is what
features use. `dealwatch.llm.client.JsonLLM` turns a provider into a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel

from dealwatch.core.errors import DealwatchError

T = TypeVar("T", bound=BaseModel)


class LLMError(DealwatchError):
    """An LLM call failed for good: bad key, refused request, unusable answer, retries spent."""


class BudgetExceeded(LLMError):
    """The rolling 24 h LLM budget is spent; calls are refused until old spend leaves the window."""


class TransientLLMError(LLMError):
    """A failure worth retrying (429, 5xx, timeout); `retry_after` is the server's header, if any."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of a chat."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What a provider answered to one raw call."""

    text: str
    input_tokens: int
    output_tokens: int
    model: str


class Provider(Protocol):
    """One vendor's chat endpoint, reached through its official SDK."""

    name: str
    model: str

    async def send(self, system: str, messages: list[Message], max_tokens: int) -> Reply:
        """One chat call; raises TransientLLMError (retry) or LLMError (give up)."""
        ...

    async def aclose(self) -> None:
        """Close the SDK's connections."""
        ...


@dataclass(frozen=True, slots=True)
class Usage:
    """What one `complete_json` call consumed (all raw calls, repair included)."""

    input_tokens: int
    output_tokens: int
    cost: Decimal
    model: str
    cached: bool
    latency: float
    """seconds from the call to the validated answer"""


@dataclass(frozen=True, slots=True)
class Completion(Generic[T]):
    """A schema-validated answer and its usage."""

    value: T
    usage: Usage


class LLMClient(Protocol):
    """The port features depend on."""

    async def complete_json(
        self, prompt: str, schema: type[T], *, system: str | None = None, max_tokens: int = 400
    ) -> Completion[T]:
        """Ask for one JSON object matching `schema`; raises LLMError when none can be had."""
        ...

    async def aclose(self) -> None:
        """Release connections; call once when done."""
        ...
