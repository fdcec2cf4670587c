"""Send alerts through Apprise URLs, once per key and fingerprint, and log every delivery.

`Notifier.send(title, body)` is the seam: `AppriseNotifier` speaks to every service Apprise knows
(one URL per channel); tests point it at a loopback `json://` endpoint. `alert()` skips a key whose
current fingerprint was already delivered (a listing alerted at $400 is not alerted again at $400,
but is at $350) and records each channel's outcome, failures included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.alerts.models import AlertDelivery
from dealwatch.core.clock import Clock
from dealwatch.core.errors import ConfigError, NotConfigured

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Alert:
    """What to say, and what it is about (for deduplication)."""

    key: str
    fingerprint: str
    title: str
    body: str
    listing_id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One channel's outcome."""

    channel: str
    ok: bool
    error: str | None = None


class Notifier(Protocol):
    """Delivers one message to every configured channel."""

    def send(self, title: str, body: str) -> list[Delivery]:
        """Send to each channel; one Delivery per channel, failures included."""
        ...


class AppriseNotifier:
    """Apprise, one URL per channel (mailto://, slack://, tgram://, ntfy://, sns://, json://...)."""

    def __init__(self, urls: Sequence[str]) -> None:
        import apprise

        self.channels = []
        for url in urls:
            target = apprise.Apprise()
            if not target.add(url):
                raise ConfigError(f"alerts.urls: Apprise cannot use {_redacted(url)!r}")
            self.channels.append((urlsplit(url).scheme or "?", target))

    def send(self, title: str, body: str) -> list[Delivery]:
        """Send to each channel in turn; a failing channel does not stop the others."""
        out = []
        for channel, target in self.channels:
            try:
                ok = bool(target.notify(title=title, body=body))
            except Exception as exc:  # a broken channel must not lose the alert on the others
                out.append(Delivery(channel, False, f"{type(exc).__name__}: {exc}"))
                continue
            out.append(Delivery(channel, ok, None if ok else "the service refused or could not be reached"))
        return out


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://…" if parts.netloc else url[:12]


def build_notifier(urls: Sequence[str]) -> Notifier:
    """The configured notifier; NotConfigured when no alert URL is set."""
    if not urls:
        raise NotConfigured("alerts.urls is empty: alerts are only logged")
    return AppriseNotifier(urls)


def already_sent(session: Session, key: str, fingerprint: str) -> bool:
    """Was this news about `key` delivered to at least one channel before?"""
    query = select(AlertDelivery.id).where(
        AlertDelivery.key == key, AlertDelivery.fingerprint == fingerprint, AlertDelivery.status == "sent"
    )
    return session.scalar(query.limit(1)) is not None


def alert(session: Session, notifier: Notifier | None, message: Alert, clock: Clock) -> list[Delivery]:
    """Send `message` unless already delivered; log each channel's outcome. No notifier: logged only."""
    if already_sent(session, message.key, message.fingerprint):
        return []
    deliveries = notifier.send(message.title, message.body) if notifier is not None else []
    for delivery in deliveries or [Delivery("log", True)]:
        session.add(
            AlertDelivery(
                key=message.key,
                fingerprint=message.fingerprint,
                channel=delivery.channel,
                status="sent" if delivery.ok else "failed",
                title=message.title[:300],
                body=message.body,
                error=delivery.error,
                sent_at=clock.now(),
                listing_id=message.listing_id,
            )
        )
        if not delivery.ok:
            log.warning(
                "alert not delivered", channel=delivery.channel, key=message.key, error=delivery.error
            )
    session.flush()
    return deliveries
