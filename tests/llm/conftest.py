"""Both LLM SDKs against their loopback fakes, with a frozen clock and a recorded sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from llm_rig import KEY_ENV, VERDICT, Rig

from dealwatch.core.clock import FrozenClock
from dealwatch.llm import LlmSettings
from dealwatch.testing import SwappableApp
from dealwatch.testing_llm import FakeAnthropic, FakeOpenAI


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
