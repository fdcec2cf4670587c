"""The LLM tests' rig: one provider's loopback fake, the settings pointing at it, a frozen clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from dealwatch.core.clock import FrozenClock
from dealwatch.llm import LLMClient, LlmSettings, build_llm
from dealwatch.testing_llm import FakeAnthropic, FakeOpenAI

KEY_ENV = "DEALWATCH_TEST_LLM_KEY"
VERDICT = '{"has_promotion": true, "discount_pct": 30}'


class Verdict(BaseModel):
    has_promotion: bool
    discount_pct: int | None = None


@dataclass
class Rig:
    """One provider's fake, the settings pointing at it, the clock and the waits the client asked for."""

    provider: str
    fake: FakeAnthropic | FakeOpenAI
    settings: LlmSettings
    clock: FrozenClock
    waits: list[float] = field(default_factory=list)
    alerts: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    clients: list[LLMClient] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def client(self, **changes: Any) -> LLMClient:
        settings = self.settings.model_copy(update=changes)
        client = build_llm(
            settings, self.clock, sleep=self.sleep, on_budget_trip=lambda s, lim: self.alerts.append((s, lim))
        )
        self.clients.append(client)
        return client
