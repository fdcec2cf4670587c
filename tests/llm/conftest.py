"""Both LLM SDKs against their loopback fakes, with a frozen clock and a recorded sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from dealwatch.core.clock import FrozenClock
from dealwatch.llm import LLMClient, LlmSettings, build_llm
from dealwatch.testing import SwappableApp
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


@pytest.fixture(params=["anthropic", "openai"])
async def rig(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, swap_server: tuple[str, SwappableApp]
) -> AsyncIterator[Rig]:
    provider: str = request.param
    fake: FakeAnthropic | FakeOpenAI
    if provider == "anthropic":
        fake = FakeAnthropic(api_key="sk-ant-fake", responder=lambda prompt: VERDICT)
    else:
        fake = FakeOpenAI(api_key="sk-fake", responder=lambda prompt: VERDICT)
    monkeypatch.setenv(KEY_ENV, fake.api_key)
    url, swap = swap_server
    swap.app = fake.app
    settings = LlmSettings(
        provider=provider,
        base_url=url if provider == "anthropic" else url + "/v1",
        api_key_env=KEY_ENV,
        timeout=5,
    )
    rig = Rig(provider, fake, settings, FrozenClock(datetime(2025, 11, 28, 9, tzinfo=UTC)))
    yield rig
    for client in rig.clients:
        await client.aclose()
