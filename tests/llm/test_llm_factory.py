"""build_llm: NotConfigured with a one-line reason when the tier can't run here."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.llm import LlmSettings, build_llm
from dealwatch.llm.client import JsonLLM

CLOCK = FrozenClock(datetime(2025, 11, 28, tzinfo=UTC))


def test_provider_none_is_not_configured() -> None:
    with pytest.raises(NotConfigured, match=r"llm\.provider is 'none'"):
        build_llm(LlmSettings(), CLOCK)


@pytest.mark.parametrize(
    ("provider", "env"), [("anthropic", "ANTHROPIC_API_KEY"), ("openai", "OPENAI_API_KEY")]
)
def test_missing_key_is_not_configured(provider: str, env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(env, raising=False)

    with pytest.raises(NotConfigured, match=f"{env} is not set"):
        build_llm(LlmSettings(provider=provider), CLOCK)


def test_missing_sdk_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x")
    monkeypatch.setitem(sys.modules, "anthropic", None)  # makes `import anthropic` fail
    monkeypatch.delitem(sys.modules, "dealwatch.llm.anthropic", raising=False)

    with pytest.raises(NotConfigured, match="anthropic SDK is not installed"):
        build_llm(LlmSettings(provider="anthropic"), CLOCK)


async def test_local_server_runs_with_a_placeholder_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = LlmSettings(
        provider="openai",
        model="llama3.2",
        base_url="http://127.0.0.1:11434/v1",
        placeholder_api_key="ollama",
    )

    client = build_llm(settings, CLOCK)

    assert isinstance(client, JsonLLM) and client.provider.model == "llama3.2"
    assert client.price is None  # unpriced local model: counted as free
    await client.aclose()


def test_settings_defaults_and_prices() -> None:
    settings = LlmSettings(provider="anthropic")
    assert settings.resolved_model() == "claude-haiku-4-5"
    assert settings.resolved_key_env() == "ANTHROPIC_API_KEY"
    assert settings.daily_budget_usd == Decimal(2)
    price = settings.price_of("claude-haiku-4-5-20251001")  # a dated snapshot takes its family's price
    assert price is not None and price.output == Decimal(5)
    assert LlmSettings(provider="openai").price_of("gpt-4o-mini") is not None


def test_settings_document_every_field() -> None:
    assert all(field.description for field in LlmSettings.model_fields.values())


def test_unknown_provider_from_the_registry_is_a_config_error() -> None:
    from dealwatch.llm.factory import providers

    with pytest.raises(ConfigError, match="unknown llm_providers 'mystery'"):
        providers.build("mystery", LlmSettings(), "key")
