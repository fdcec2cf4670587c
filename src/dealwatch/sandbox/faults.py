"""Fault modes a sandbox store can be put in, the way real stores defeat a plain GET: what each mode means,
its spec string ("slow:0.5", "rate_limit:1:2") and how a faulty store answers a request.

A store in a fault mode answers through `respond`; robots.txt and the admin API are never faulted.
`js_only` and `robots_disallow` change what the store serves rather than how, so the server applies them.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dealwatch.sandbox.bot_walls import BOT_WALLS, bot_wall

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# where the server's protocol puts the connection's asyncio transport in the ASGI scope ("extensions")
TRANSPORT_EXTENSION = "dealwatch.transport"


@dataclass(frozen=True, slots=True)
class FaultParam:
    """One positional parameter of a mode spec, with its default and the range it accepts."""

    name: str
    default: float
    low: float
    high: float
    integer: bool = False
    choices: tuple[int, ...] = ()


_SECONDS = 24 * 3600.0
FAULT_PARAMS: dict[str, tuple[FaultParam, ...]] = {
    "slow": (FaultParam("delay_s", 2.0, 0.0, 600.0),),
    "timeout": (),
    "reset": (),
    "rate_limit": (
        FaultParam("retry_after_s", 1, 0, _SECONDS, integer=True),
        FaultParam("refusals", 2, 0, 10_000, integer=True),
    ),
    "unavailable": (FaultParam("refusals", 2, 0, 10_000, integer=True),),
    "cloudflare": (FaultParam("status", 403, 403, 503, integer=True, choices=(403, 503)),),
    "akamai": (),
    "perimeterx": (),
    "datadome": (),
    "imperva": (),
    "bare403": (),
    "truncated": (),
    "redirect_loop": (),
    "huge": (FaultParam("megabytes", 50, 1, 1024, integer=True),),
    "drip": (
        FaultParam("interval_s", 0.5, 0.01, 60.0),
        FaultParam("chunk_bytes", 8, 1, 65_536, integer=True),
    ),
    "js_only": (),
    "robots_disallow": (),
}
FAULT_MODES = tuple(FAULT_PARAMS)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


@dataclass(frozen=True, slots=True)
class Fault:
    """A store's fault mode and the parameters given with it; `str(fault)` is its spec string."""

    mode: str
    args: tuple[float, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse "mode[:param[:param]]"; ValueError naming the mode, parameter or range that is wrong."""
        if not isinstance(spec, str) or not spec.strip():
            raise ValueError(f"a fault mode must be a non-empty string like 'slow:0.5', got {spec!r}")
        mode, *raw = spec.strip().split(":")
        if mode not in FAULT_PARAMS:
            raise ValueError(f"unknown fault mode {mode!r}; known modes: {', '.join(FAULT_MODES)}")
        params = FAULT_PARAMS[mode]
        if len(raw) > len(params):
            usage = ":".join([mode, *(p.name for p in params)])
            raise ValueError(f"fault mode {mode!r} takes at most {len(params)} parameter(s): {usage}")
        args: list[float] = []
        for param, text in zip(params, raw, strict=False):
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{mode} {param.name} must be a number, got {text!r}") from None
            if param.integer and not value.is_integer():
                raise ValueError(f"{mode} {param.name} must be a whole number, got {text!r}")
            if param.choices and value not in param.choices:
                raise ValueError(f"{mode} {param.name} must be one of {param.choices}, got {text!r}")
            if not param.low <= value <= param.high:
                raise ValueError(
                    f"{mode} {param.name} must be within {param.low:g}..{param.high:g}, got {text!r}"
                )
            args.append(value)
        return cls(mode, tuple(args))

    def param(self, name: str) -> float:
        """The value of parameter `name`: as given in the spec, else its default."""
        for i, param in enumerate(FAULT_PARAMS[self.mode]):
            if param.name == name:
                return self.args[i] if i < len(self.args) else param.default
        raise KeyError(f"fault mode {self.mode!r} has no parameter {name!r}")

    def __str__(self) -> str:
        return ":".join([self.mode, *(_number(a) for a in self.args)])


@dataclass(frozen=True, slots=True)
class FaultyRequest:
    """A request to a store in a fault mode: what `respond` needs to know besides the ASGI triple."""

    slug: str
    day: date
    hit: int  # the request's number (from 1) at this store on this simulated day
    host: str
    path: str
    page: Callable[[], bytes | None]  # the page the store would serve at `path`, None when there is none
    stopping: asyncio.Event  # set when the server shuts down: long-held connections are dropped


async def respond(fault: Fault, request: FaultyRequest, scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer `request` the way `fault` says; False when the store should then answer it normally."""
    mode = fault.mode
    if mode == "slow":
        if await _hold(receive, request.stopping, asyncio.sleep(fault.param("delay_s"))):
            return False
        await _hang_up(scope, receive, request.stopping)
    elif mode == "timeout":
        await _hold(receive, request.stopping, None)
        await _hang_up(scope, receive, request.stopping)
    elif mode == "reset":
        await _hang_up(scope, receive, request.stopping, reset=True)
    elif mode == "rate_limit":
        if request.hit > fault.param("refusals"):
            return False
        headers = [("retry-after", str(int(fault.param("retry_after_s"))))]
        await _send_all(send, 429, _error_page(429, "Too Many Requests"), headers)
    elif mode == "unavailable":
        if request.hit > fault.param("refusals"):
            return False
        await _send_all(send, 503, _error_page(503, "Service Temporarily Unavailable"))
    elif mode in BOT_WALLS:
        status = int(fault.param("status")) if mode == "cloudflare" else 403
        token = hashlib.sha256(f"{request.slug}:{request.day}:{request.hit}".encode()).hexdigest()
        wall = bot_wall(mode, request.host, request.path, token, request.day, status)
        await _send_all(send, wall.status, wall.body.encode(), wall.headers)
    elif mode == "redirect_loop":
        target = "/" if request.path == "/a" else "/a"
        await _send_all(send, 302, b"", [("location", target), ("cache-control", "no-store")])
    elif mode in ("truncated", "huge", "drip"):
        page = request.page()
        if page is None:
            return False
        if mode == "truncated":
            await _send_truncated(scope, receive, send, page, request.stopping)
        elif mode == "huge":
            await _send_huge(send, page, int(fault.param("megabytes")) * 1024 * 1024)
        else:
            interval, chunk = fault.param("interval_s"), int(fault.param("chunk_bytes"))
            if not await _hold(receive, request.stopping, _drip(send, page, interval, chunk)):
                await _hang_up(scope, receive, request.stopping)
    else:  # js_only, robots_disallow: the server serves their variant pages
        return False
    return True


# ---- plumbing ------------------------------------------------------------------------------------


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _hold(receive: Receive, stopping: asyncio.Event, work: Awaitable[object] | None) -> bool:
    """Run `work` (or just wait) until it ends, the client hangs up or the server stops; True if it ended."""
    job = asyncio.ensure_future(work) if work is not None else None
    watchers = [asyncio.ensure_future(_disconnected(receive)), asyncio.ensure_future(stopping.wait())]
    tasks = [*watchers, *([job] if job else [])]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return job is not None and job.done() and not job.cancelled() and job.exception() is None


async def _hang_up(scope: Scope, receive: Receive, stopping: asyncio.Event, reset: bool = False) -> None:
    """Close the connection without (finishing) a response: a TCP reset with `reset`, else a plain close."""
    transport: asyncio.Transport = scope["extensions"][TRANSPORT_EXTENSION]
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:  # SO_LINGER 0: closing sends RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    # wait for the server to see the disconnect, so it neither writes an error response nor logs one
    await _hold(receive, stopping, None)
    transport.abort()


def _error_page(status: int, title: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{status} {title}</title></head>"
        f"<body><h1>{title}</h1><p>Please try again later.</p></body></html>"
    ).encode()


async def _send_all(
    send: Send, status: int, body: bytes, headers: list[tuple[str, str]] | None = None
) -> None:
    names = {name.lower() for name, _ in headers or []}
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers or []]
    if "content-type" not in names:
        raw.append((b"content-type", b"text/html; charset=utf-8"))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _page_start(send: Send, length: int) -> Awaitable[None]:
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(length).encode())]
    return send({"type": "http.response.start", "status": 200, "headers": headers})


async def _send_truncated(
    scope: Scope, receive: Receive, send: Send, page: bytes, stopping: asyncio.Event
) -> None:
    await _page_start(send, len(page))
    await send({"type": "http.response.body", "body": page[: len(page) // 2], "more_body": True})
    await _hang_up(scope, receive, stopping)


_CHUNK = 256 * 1024
# an HTML comment's worth of filler, built once: a huge page costs one chunk of memory, not 50 MB
_FILLER = (b"<!-- " + b"lazy-hydration-state " * (_CHUNK // 21 + 1))[: _CHUNK - 4] + b" -->"


async def _send_huge(send: Send, page: bytes, size: int) -> None:
    """The page with filler before </body>, `size` bytes in all (at least the page), streamed in chunks."""
    cut = page.rfind(b"</body>")
    head, tail = (page[:cut], page[cut:]) if cut >= 0 else (page, b"")
    filler = max(0, size - len(page))
    await _page_start(send, len(head) + filler + len(tail))
    await send({"type": "http.response.body", "body": head, "more_body": True})
    while filler > 0:
        chunk = _FILLER if filler >= len(_FILLER) else b" " * filler
        filler -= len(chunk)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": tail})


async def _drip(send: Send, page: bytes, interval: float, chunk: int) -> None:
    await _page_start(send, len(page))
    for start in range(0, len(page), chunk):
        await send({"type": "http.response.body", "body": page[start : start + chunk], "more_body": True})
        await asyncio.sleep(interval)
    await send({"type": "http.response.body", "body": b""})
