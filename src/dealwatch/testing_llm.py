"""Fake LLM APIs on loopback for tests and the demo: Anthropic Messages and OpenAI chat completions.

They speak the real wire protocol closely enough for the official SDKs: auth and version headers checked, the
vendor's response and error shapes, usage counted (about four characters a token). What they answer
comes from a responder function (last user message -> reply text). Failures can be queued with
`fail_next` (429 with Retry-After, 500, 401...) and one malformed answer with `invalid_json_next`.
Serve `.app` with `dealwatch.testing.LoopbackServer`; the Anthropic SDK's base URL is the server URL,
the OpenAI SDK's is the server URL + "/v1".
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Responder = Callable[[str], str]
"""Last user message -> reply text."""

INVALID_JSON = 'Sure! Here is the answer: {"has_promotion": tru'

ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
OPENAI_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


def tokens(text: str) -> int:
    """A stable stand-in for a tokenizer: about four characters a token."""
    return max(1, (len(text) + 3) // 4)


def _echo_json(prompt: str) -> str:
    return json.dumps({"echo": prompt})


class _FakeLLM:
    """What both fakes share: responder, call count, recorded bodies, queued failures."""

    def __init__(self, api_key: str, responder: Responder) -> None:
        self.api_key = api_key
        self.responder = responder
        self.calls = 0
        self.bodies: list[dict[str, Any]] = []
        self._failures: deque[tuple[int, dict[str, str]]] = deque()
        self._invalid = 0

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` calls with `status` (429, 500, 401...), with Retry-After if given."""
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        self._failures.extend([(status, headers)] * times)

    def invalid_json_next(self, times: int = 1) -> None:
        """Answer the next `times` successful calls with text that is not JSON."""
        self._invalid += times

    def _reply_text(self, prompt: str) -> str:
        if self._invalid:
            self._invalid -= 1
            return INVALID_JSON
        return self.responder(prompt)

    def _failure(self) -> tuple[int, dict[str, str]] | None:
        return self._failures.popleft() if self._failures else None


class FakeAnthropic(_FakeLLM):
    """`POST /v1/messages` as Anthropic answers it (no streaming, text blocks only)."""

    def __init__(
        self,
        api_key: str = "sk-ant-test",
        responder: Responder = _echo_json,
        model_suffix: str = "-20251001",
    ) -> None:
        super().__init__(api_key, responder)
        self.model_suffix = model_suffix
        self.app = Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])

    async def _messages(self, request: Request) -> JSONResponse:
        self.calls += 1
        # The API takes the key as x-api-key or (as recent SDKs send it) a bearer token.
        keys = {request.headers.get("x-api-key"), request.headers.get("authorization")}
        if not keys & {self.api_key, f"Bearer {self.api_key}"}:
            return _anthropic_error(401, "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return _anthropic_error(400, "anthropic-version: header is required")
        if failure := self._failure():
            status, headers = failure
            return _anthropic_error(status, f"fake failure {status}", headers)
        try:
            body = await request.json()
        except ValueError:
            return _anthropic_error(400, "There was an error parsing the body of your request")
        problem = _invalid_anthropic(body)
        if problem:
            return _anthropic_error(400, problem)
        self.bodies.append(body)
        prompt = _text(body["messages"][-1]["content"])
        text = self._reply_text(prompt)
        seen = _text(body.get("system", "")) + "".join(_text(m["content"]) for m in body["messages"])
        return JSONResponse(
            {
                "id": f"msg_fake{self.calls:08d}",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": text}],
                "model": body["model"] + self.model_suffix,
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": tokens(seen), "output_tokens": tokens(text)},
            },
            headers={"request-id": f"req_fake{self.calls:08d}"},
        )


class FakeOpenAI(_FakeLLM):
    """`POST /v1/chat/completions` as OpenAI (or Ollama, vLLM, llama.cpp server) answers it."""

    def __init__(
        self,
        api_key: str = "sk-test",
        responder: Responder = _echo_json,
        model_suffix: str = "-2024-07-18",
    ) -> None:
        super().__init__(api_key, responder)
        self.model_suffix = model_suffix
        self.app = Starlette(routes=[Route("/v1/chat/completions", self._completions, methods=["POST"])])

    async def _completions(self, request: Request) -> JSONResponse:
        self.calls += 1
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _openai_error(401, "Incorrect API key provided.")
        if failure := self._failure():
            status, headers = failure
            return _openai_error(status, f"fake failure {status}", headers)
        try:
            body = await request.json()
        except ValueError:
            return _openai_error(400, "We could not parse the JSON body of your request.")
        problem = _invalid_openai(body)
        if problem:
            return _openai_error(400, problem)
        self.bodies.append(body)
        text = self._reply_text(_text(body["messages"][-1]["content"]))
        prompt_tokens = tokens("".join(_text(m["content"]) for m in body["messages"]))
        completion_tokens = tokens(text)
        return JSONResponse(
            {
                "id": f"chatcmpl-fake{self.calls:08d}",
                "object": "chat.completion",
                "created": 1_700_000_000 + self.calls,
                "model": body["model"] + self.model_suffix,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )


def _text(content: Any) -> str:
    """Message content as text: a string, or a list of text blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


def _anthropic_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    kind = ANTHROPIC_ERRORS.get(status, "api_error")
    return JSONResponse(
        {"type": "error", "error": {"type": kind, "message": message}}, status_code=status, headers=headers
    )


def _openai_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    kind, code = OPENAI_ERRORS.get(status, ("server_error", None))
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": code}},
        status_code=status,
        headers=headers,
    )


def _invalid_messages(messages: Any, roles: set[str]) -> str | None:
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in roles:
            return f"messages.{i}.role: expected one of {sorted(roles)}"
        if "content" not in message:
            return f"messages.{i}.content: Field required"
    return None


def _invalid_anthropic(body: Any) -> str | None:
    """What Anthropic's validation would say about a Messages request body."""
    if not isinstance(body, dict):
        return "body: expected an object"
    if not isinstance(body.get("model"), str):
        return "model: Field required"
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "max_tokens: Field required"
    if body.get("stream"):
        return "stream: not supported by this fake"
    problem = _invalid_messages(body.get("messages"), {"user", "assistant"})
    if problem:
        return problem
    if body["messages"][0]["role"] != "user":
        return "messages: first message must use the 'user' role"
    return None


def _invalid_openai(body: Any) -> str | None:
    """What OpenAI's validation would say about a chat completions request body."""
    if not isinstance(body, dict):
        return "body: expected an object"
    if not isinstance(body.get("model"), str):
        return "you must provide a model parameter"
    if body.get("stream"):
        return "stream: not supported by this fake"
    problem = _invalid_messages(body.get("messages"), {"system", "developer", "user", "assistant"})
    if problem:
        return problem
    response_format = body.get("response_format")
    if response_format is not None:
        if response_format.get("type") not in {"text", "json_object", "json_schema"}:
            return "response_format.type: invalid value"
        if response_format["type"] == "json_object" and not any(
            "json" in _text(m["content"]).lower() for m in body["messages"]
        ):
            # OpenAI refuses JSON mode unless a message mentions JSON; so does this fake.
            return (
                "'messages' must contain the word 'json' in some form, "
                "to use 'response_format' of type 'json_object'."
            )
    return None
