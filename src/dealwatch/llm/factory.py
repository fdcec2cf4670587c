"""build_llm(settings, clock): the configured provider wrapped in retries, cost, budget and cache."""

from __future__ import annotations

import asyncio
import os

import structlog

from dealwatch.core.clock import Clock
from dealwatch.core.errors import NotConfigured
from dealwatch.core.registry import Registry
from dealwatch.llm.base import LLMClient, Provider
from dealwatch.llm.budget import Budget, BudgetAlert, Ledger
from dealwatch.llm.cache import ResponseCache
from dealwatch.llm.client import JsonLLM
from dealwatch.llm.retry import RetryingProvider, Sleep
from dealwatch.llm.settings import LlmSettings

log = structlog.get_logger(__name__)

providers: Registry[Provider] = Registry("llm_providers")
"""LLM providers by name; factories take (settings, api_key). Third parties add entry points."""


@providers.register("anthropic")
def _anthropic(settings: LlmSettings, api_key: str) -> Provider:
    try:
        from dealwatch.llm.anthropic import AnthropicProvider
    except ImportError as exc:
        raise NotConfigured("the anthropic SDK is not installed (pip install 'dealwatch[llm]')") from exc
    return AnthropicProvider(
        settings.resolved_model(), api_key, base_url=settings.base_url, timeout=settings.timeout
    )


@providers.register("openai")
def _openai(settings: LlmSettings, api_key: str) -> Provider:
    try:
        from dealwatch.llm.openai_compat import OpenAICompatProvider
    except ImportError as exc:
        raise NotConfigured("the openai SDK is not installed (pip install 'dealwatch[llm]')") from exc
    return OpenAICompatProvider(
        settings.resolved_model(), api_key, base_url=settings.base_url, timeout=settings.timeout
    )


def build_llm(
    settings: LlmSettings,
    clock: Clock,
    *,
    sleep: Sleep = asyncio.sleep,
    on_budget_trip: BudgetAlert | None = None,
    ledger: Ledger | None = None,
) -> LLMClient:
    """The LLM client settings describe; raises NotConfigured (one-line reason) when it can't run here.

    `ledger` is where its spend is kept (the product passes the database's, shared by every client
    and process); without one the budget counts this client's calls only.
    """
    if settings.provider == "none":
        raise NotConfigured("llm.provider is 'none'")
    key_env = settings.resolved_key_env()
    api_key = os.environ.get(key_env) or settings.placeholder_api_key
    if not api_key:
        raise NotConfigured(f"{key_env} is not set (or set llm.placeholder_api_key for a local server)")
    provider = providers.build(settings.provider, settings, api_key)
    price = settings.price_of(provider.model)
    if price is None:
        log.info("llm model has no price, counted as free", provider=provider.name, model=provider.model)
    retrying = RetryingProvider(
        provider,
        clock,
        max_retries=settings.max_retries,
        backoff_base=settings.backoff_base,
        max_wait=settings.max_retry_after,
        sleep=sleep,
    )
    budget = Budget(settings.daily_budget_usd, clock, ledger=ledger, on_trip=on_budget_trip)
    cache = ResponseCache(
        clock, settings.cache_ttl, directory=settings.cache_dir, max_entries=settings.cache_max_entries
    )
    return JsonLLM(retrying, budget=budget, cache=cache, price=price)
