"""SSRF guard: only http(s) to public addresses, checked before connecting and after every redirect.

Private, loopback, link-local, CGNAT, multicast, reserved and cloud-metadata addresses are refused
unless they fall in a network the operator allows (`fetch.allowed_networks`, e.g. 127.0.0.0/8 for the
sandbox). Host names are resolved and every address they resolve to is checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

from dealwatch.core.errors import FetchError
from dealwatch.settings import FetchSettings

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Beyond what ipaddress flags as private: CGNAT (100.64/10) and the cloud metadata endpoints.
_EXTRA_BLOCKED = [
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeURL(FetchError):
    """The URL points somewhere dealwatch must not fetch."""


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _EXTRA_BLOCKED):
        return False
    return address.is_global and not address.is_multicast


class UrlGuard:
    """Checks URLs (and the addresses their hosts resolve to) before any connection is made."""

    def __init__(self, allowed_networks: Iterable[str] = ()) -> None:
        self.allowed: list[IPNetwork] = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]

    def address_allowed(self, address: IPAddress) -> bool:
        """Public, or inside a network the operator allowed."""
        return _is_public(address) or any(address in network for network in self.allowed)

    def check_shape(self, url: str) -> str:
        """Scheme and host checks that need no DNS; returns the host."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise UnsafeURL(f"scheme {parts.scheme!r} not allowed (http and https only): {url}")
        host = parts.hostname
        if not host:
            raise UnsafeURL(f"no host in URL: {url}")
        if parts.username or parts.password:
            raise UnsafeURL(f"credentials in URL refused: {url}")
        return host

    async def check(self, url: str) -> None:
        """Raise UnsafeURL unless every address of the URL's host may be fetched."""
        host = self.check_shape(url)
        for address in await resolve(host):
            if not self.address_allowed(address):
                raise UnsafeURL(f"{host} resolves to {address}, a non-public address: {url}")


async def resolve(host: str) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror}") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


def guarded_client(settings: FetchSettings, guard: UrlGuard, **kwargs: object) -> httpx.AsyncClient:
    """An httpx client whose every request, redirects included, passes the SSRF guard first."""

    async def check(request: httpx.Request) -> None:
        await guard.check(str(request.url))

    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
        limits=httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        ),
        event_hooks={"request": [check]},
        **kwargs,  # type: ignore[arg-type]
    )
