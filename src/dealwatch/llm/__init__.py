"""The LLM tier's client: `build_llm(settings, clock).complete_json(prompt, Schema)` -> answer + usage.

Providers (Anthropic, any OpenAI-compatible server) sit behind one port; retries, token cost, the
rolling 24 h budget breaker and the response cache wrap whichever is configured.
"""

from dealwatch.llm.base import (
    BudgetExceeded,
    Completion,
    LLMClient,
    LLMError,
    Message,
    Provider,
    Reply,
    TransientLLMError,
    Usage,
)
from dealwatch.llm.factory import build_llm
from dealwatch.llm.settings import LlmSettings, ModelPrice

__all__ = [
    "BudgetExceeded",
    "Completion",
    "LLMClient",
    "LLMError",
    "LlmSettings",
    "Message",
    "ModelPrice",
    "Provider",
    "Reply",
    "TransientLLMError",
    "Usage",
    "build_llm",
]
