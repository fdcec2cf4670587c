"""OpenAI-compatible provider: chat completions in JSON mode through the official `openai` SDK.

Works with OpenAI and with local servers speaking its API (Ollama, vLLM, llama.cpp server) by base URL.
"""

from __future__ import annotations

import openai
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

from dealwatch.llm.base import LLMError, Message, Reply, TransientLLMError

RETRYABLE = frozenset({408, 409, 429})


class OpenAICompatProvider:
    """`POST {base_url}/chat/completions` with `response_format={"type": "json_object"}`."""

    name = "openai"

    def __init__(
        self, model: str, api_key: str, *, base_url: str | None = None, timeout: float = 30.0
    ) -> None:
        self.model = model
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)

    async def send(self, system: str, messages: list[Message], max_tokens: int) -> Reply:
        """One chat completion."""
        try:
            completion = await self._client.chat.completions.create(
                model=self.model,
                max_tokens=max_tokens,
                response_format={"type": "json_object"},
                messages=[
                    ChatCompletionSystemMessageParam(role="system", content=system),
                    *(_message(m) for m in messages),
                ],
            )
        except openai.APIStatusError as exc:
            raise _status_error(exc) from exc
        except openai.APIConnectionError as exc:  # timeouts included
            raise TransientLLMError(f"openai: {type(exc).__name__}: {exc}") from exc
        if not completion.choices:
            raise LLMError("openai: the answer has no choices")
        usage = completion.usage
        return Reply(
            text=completion.choices[0].message.content or "",
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            model=completion.model,
        )

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()


def _message(message: Message) -> ChatCompletionMessageParam:
    if message.role == "assistant":
        return ChatCompletionAssistantMessageParam(role="assistant", content=message.content)
    return ChatCompletionUserMessageParam(role="user", content=message.content)


def _status_error(exc: openai.APIStatusError) -> LLMError:
    status = exc.status_code
    detail = f"openai: HTTP {status}: {exc.message}"
    if status in RETRYABLE or status >= 500:
        headers = exc.response.headers
        retry_after = headers.get("retry-after")
        if retry_after is None and (ms := headers.get("retry-after-ms")) is not None:
            try:
                retry_after = str(float(ms) / 1000)
            except ValueError:
                retry_after = None
        return TransientLLMError(detail, status=status, retry_after=retry_after)
    if status == 401:
        return LLMError(f"{detail} (check the OpenAI-compatible API key)")
    return LLMError(detail)
