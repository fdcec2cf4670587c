"""Anthropic provider: the Messages API through the official `anthropic` SDK."""

from __future__ import annotations

import anthropic
from anthropic.types import AssistantMessageParam, MessageParam, UserMessageParam

from dealwatch.llm.base import LLMError, Message, Reply, TransientLLMError

RETRYABLE = frozenset({408, 409, 429})


class AnthropicProvider:
    """`POST /v1/messages` with the SDK's own retries off (RetryingProvider owns them)."""

    name = "anthropic"

    def __init__(
        self, model: str, api_key: str, *, base_url: str | None = None, timeout: float = 30.0
    ) -> None:
        self.model = model
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )

    async def send(self, system: str, messages: list[Message], max_tokens: int) -> Reply:
        """One Messages API call."""
        try:
            message = await self._client.messages.create(
                model=self.model,
                max_tokens=max_tokens,
                system=system,
                messages=[_message(m) for m in messages],
            )
        except anthropic.APIStatusError as exc:
            raise _status_error(exc) from exc
        except anthropic.APIConnectionError as exc:  # timeouts included
            raise TransientLLMError(f"anthropic: {type(exc).__name__}: {exc}") from exc
        text = "".join(block.text for block in message.content if block.type == "text")
        return Reply(
            text=text,
            input_tokens=message.usage.input_tokens,
            output_tokens=message.usage.output_tokens,
            model=message.model,
        )

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()


def _message(message: Message) -> MessageParam:
    if message.role == "assistant":
        return AssistantMessageParam(role="assistant", content=message.content)
    return UserMessageParam(role="user", content=message.content)


def _status_error(exc: anthropic.APIStatusError) -> LLMError:
    status = exc.status_code
    detail = f"anthropic: HTTP {status}: {exc.message}"
    if status in RETRYABLE or status >= 500:
        return TransientLLMError(detail, status=status, retry_after=exc.response.headers.get("retry-after"))
    if status == 401:
        return LLMError(f"{detail} (check the Anthropic API key)")
    return LLMError(detail)
