"""Settings of the LLM tier (`[llm]` in dealwatch.toml, DEALWATCH_LLM__* in the environment)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_MODELS = {"anthropic": "claude-haiku-4-5", "openai": "gpt-4o-mini"}
DEFAULT_KEY_ENVS = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


class ModelPrice(BaseModel):
    """USD per million tokens of one model."""

    model_config = ConfigDict(extra="forbid")

    input: Decimal = Field(ge=0, description="USD per 1M input tokens")
    output: Decimal = Field(ge=0, description="USD per 1M output tokens")


def _default_prices() -> dict[str, ModelPrice]:
    # List prices (USD / 1M tokens) at the time of writing; override in settings when they change.
    return {
        "claude-haiku-4-5": ModelPrice(input=Decimal("1.00"), output=Decimal("5.00")),
        "claude-3-5-haiku": ModelPrice(input=Decimal("0.80"), output=Decimal("4.00")),
        "claude-3-haiku": ModelPrice(input=Decimal("0.25"), output=Decimal("1.25")),
        "gpt-4o-mini": ModelPrice(input=Decimal("0.15"), output=Decimal("0.60")),
    }


class LlmSettings(BaseModel):
    """The LLM tier: provider, key, model, prices, 24 h budget, retries and response cache."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["none", "anthropic", "openai"] = Field(
        "none",
        description="'anthropic', 'openai' (any OpenAI-compatible server: OpenAI, Ollama, vLLM, "
        "llama.cpp server) or 'none' (LLM tier off)",
    )
    model: str | None = Field(
        None, description="model name; default claude-haiku-4-5 (anthropic) or gpt-4o-mini (openai)"
    )
    base_url: str | None = Field(
        None,
        description="API base URL; default the vendor's (for a local server e.g. http://127.0.0.1:11434/v1)",
    )
    api_key_env: str | None = Field(
        None, description="environment variable holding the key; default ANTHROPIC_API_KEY or OPENAI_API_KEY"
    )
    placeholder_api_key: str | None = Field(
        None,
        description="key sent when the key variable is unset, for local servers needing none (e.g. 'ollama')",
    )
    timeout: float = Field(30.0, gt=0, description="seconds per API call")
    max_retries: int = Field(3, ge=0, description="retries on 429 / 5xx / timeouts / connection errors")
    backoff_base: float = Field(1.0, ge=0, description="first backoff in seconds, doubled per retry")
    max_retry_after: float = Field(
        60.0, ge=0, description="longest wait honoured (Retry-After or backoff), s"
    )
    daily_budget_usd: Decimal = Field(
        Decimal("2"), ge=0, description="USD the LLM tier may spend in any rolling 24 h; past it, calls pause"
    )
    prices: dict[str, ModelPrice] = Field(
        default_factory=_default_prices,
        description="USD per 1M input/output tokens by model name (longest prefix matches); "
        "unlisted models count as free",
    )
    cache_ttl: float = Field(
        7 * 86_400.0, ge=0, description="seconds a cached answer is reused (0 turns the cache off)"
    )
    cache_dir: Path | None = Field(
        None, description="directory of cached answers as JSON files; default in memory only"
    )
    cache_max_entries: int = Field(10_000, ge=1, description="answers kept in memory (oldest dropped first)")

    @model_validator(mode="before")
    @classmethod
    def _no_budget_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "budget_file" in data:
            raise ValueError("budget_file was removed: the 24 h spend is kept in the database now; delete it")
        return data

    def resolved_model(self) -> str:
        """The configured model, or the provider's default."""
        return self.model or DEFAULT_MODELS.get(self.provider, "")

    def resolved_key_env(self) -> str:
        """The environment variable the key is read from."""
        return self.api_key_env or DEFAULT_KEY_ENVS.get(self.provider, "")

    def price_of(self, model: str) -> ModelPrice | None:
        """The price of `model`: exact name, else the longest listed prefix (dated snapshots)."""
        if model in self.prices:
            return self.prices[model]
        matches = [name for name in self.prices if model.startswith(name)]
        return self.prices[max(matches, key=len)] if matches else None
