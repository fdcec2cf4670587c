"""JsonLLM: the LLMClient over any provider, with schema validation and one repair, cost, budget and cache."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import structlog
from pydantic import BaseModel, ValidationError

from dealwatch.llm.base import Completion, LLMError, Message, Provider, Reply, T, Usage
from dealwatch.llm.budget import Budget, token_cost
from dealwatch.llm.cache import ResponseCache, cache_key
from dealwatch.llm.settings import ModelPrice

log = structlog.get_logger(__name__)

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def schema_name(schema: type[BaseModel]) -> str:
    """Module-qualified name of a schema: two schemas named alike never share cache entries."""
    return f"{schema.__module__}.{schema.__qualname__}"


def json_instructions(schema: type[BaseModel]) -> str:
    """The system-prompt paragraph asking for one JSON object matching `schema`."""
    return (
        "Reply with exactly one JSON object and nothing else (no prose, no code fences). "
        f"It must validate against this JSON Schema:\n{json.dumps(schema.model_json_schema())}"
    )


def parse_reply(text: str, schema: type[T]) -> T:
    """Validate a reply as `schema`, tolerating a code fence around the JSON; raises ValueError."""
    match = _FENCE.match(text)
    body = match.group(1) if match else text.strip()
    return schema.model_validate_json(body)


class JsonLLM:
    """The LLMClient port over one provider (already wrapped in retries)."""

    def __init__(
        self,
        provider: Provider,
        *,
        budget: Budget,
        cache: ResponseCache | None = None,
        price: ModelPrice | None = None,
    ) -> None:
        self.provider = provider
        self.budget = budget
        self.cache = cache
        self.price = price

    async def complete_json(
        self, prompt: str, schema: type[T], *, system: str | None = None, max_tokens: int = 400
    ) -> Completion[T]:
        """Ask for one JSON object matching `schema`: cached, budgeted, repaired once, then LLMError."""
        started = time.perf_counter()
        model = self.provider.model
        key = cache_key(model, system or "", prompt, schema_name(schema))
        if self.cache is not None and (hit := self._from_cache(key, schema)) is not None:
            usage = Usage(0, 0, Decimal(0), model, True, time.perf_counter() - started)
            return Completion(hit, usage)

        full_system = f"{system}\n\n{json_instructions(schema)}" if system else json_instructions(schema)
        messages = [Message("user", prompt)]
        replies: list[Reply] = []
        try:
            reply = await self._send(full_system, messages, max_tokens, replies)
            try:
                value = parse_reply(reply.text, schema)
            except ValueError as first_error:
                log.info("llm answer invalid, repairing", provider=self.provider.name, error=str(first_error))
                messages += [Message("assistant", reply.text), Message("user", _repair_prompt(first_error))]
                reply = await self._send(full_system, messages, max_tokens, replies)
                try:
                    value = parse_reply(reply.text, schema)
                except ValueError as second_error:
                    raise LLMError(
                        f"{self.provider.name}: answer is not a valid {schema.__name__} "
                        f"after one repair: {_short(second_error)}"
                    ) from second_error
        finally:
            if replies:
                log.info(
                    "llm call",
                    provider=self.provider.name,
                    model=replies[-1].model,
                    calls=len(replies),
                    input_tokens=sum(r.input_tokens for r in replies),
                    output_tokens=sum(r.output_tokens for r in replies),
                )
        if self.cache is not None:
            self.cache.put(key, value.model_dump_json())
        usage = Usage(
            input_tokens=sum(r.input_tokens for r in replies),
            output_tokens=sum(r.output_tokens for r in replies),
            cost=sum((self._cost(r) for r in replies), Decimal(0)),
            model=reply.model,
            cached=False,
            latency=time.perf_counter() - started,
        )
        return Completion(value, usage)

    async def aclose(self) -> None:
        """Close the provider's connections."""
        await self.provider.aclose()

    async def _send(
        self, system: str, messages: list[Message], max_tokens: int, replies: list[Reply]
    ) -> Reply:
        self.budget.check()
        reply = await self.provider.send(system, list(messages), max_tokens)
        replies.append(reply)
        self.budget.record(self._cost(reply), self.provider.model)
        return reply

    def _cost(self, reply: Reply) -> Decimal:
        return token_cost(self.price, reply.input_tokens, reply.output_tokens)

    def _from_cache(self, key: str, schema: type[T]) -> T | None:
        assert self.cache is not None
        text = self.cache.get(key)
        if text is None:
            return None
        try:
            return schema.model_validate_json(text)
        except ValidationError:
            self.cache.forget(key)
            return None


def _short(error: ValueError) -> str:
    if isinstance(error, ValidationError) and (first := error.errors()):
        where = ".".join(str(part) for part in first[0]["loc"]) or "reply"
        return f"{where}: {first[0]['msg']}"[:200]
    return str(error)[:200]


def _repair_prompt(error: ValueError) -> str:
    return (
        "Your reply could not be used: "
        f"{str(error)[:1000]}\n"
        "Reply again with only the corrected JSON object, matching the schema exactly."
    )
