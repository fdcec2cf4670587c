"""Alerts through real Apprise to a loopback JSON endpoint, on both databases: dedupe, re-alert, failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.alerts.models import AlertDelivery
from dealwatch.alerts.notify import Alert, AppriseNotifier, alert, build_notifier
from dealwatch.core.clock import FrozenClock
from dealwatch.core.errors import ConfigError, NotConfigured
from dealwatch.testing import Inbox, LoopbackServer

pytest.importorskip("apprise")


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, str]]:
    box = Inbox()
    with LoopbackServer(box.app) as server:
        yield box, Inbox.apprise_url(server)


def test_an_alert_is_delivered_once_per_fingerprint_and_again_when_it_changes(
    inbox: tuple[Inbox, str], sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    box, url = inbox
    box.received.clear()
    notifier = build_notifier([url])
    first = Alert("listing:7", "400", "$950 profit opportunity", "Product: Leica M6\nSource price: $400")
    with sessions.begin() as session:
        assert [d.ok for d in alert(session, notifier, first, clock)] == [True]
        assert alert(session, notifier, first, clock) == []  # the same news is not sent twice
        cheaper = Alert("listing:7", "350", "$1,000 profit opportunity", "Source price: $350 (was $400)")
        assert [d.ok for d in alert(session, notifier, cheaper, clock)] == [True]
    assert [m["title"] for m in box.received] == ["$950 profit opportunity", "$1,000 profit opportunity"]
    assert "Leica M6" in box.received[0]["message"]
    with sessions() as session:
        logged = list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))
        assert [(d.fingerprint, d.channel, d.status) for d in logged] == [
            ("400", "json", "sent"),
            ("350", "json", "sent"),
        ]


def test_a_failing_channel_is_logged_and_does_not_stop_the_others(
    inbox: tuple[Inbox, str], sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    box, url = inbox
    box.received.clear()
    dead = "json://127.0.0.1:9/hook"  # nothing listens on the discard port
    notifier = AppriseNotifier([dead, url])
    with sessions.begin() as session:
        outcomes = alert(session, notifier, Alert("listing:8", "99", "Find", "body"), clock)
    assert [d.ok for d in outcomes] == [False, True] and len(box.received) == 1
    with sessions() as session:
        statuses = [
            d.status for d in session.scalars(select(AlertDelivery).where(AlertDelivery.key == "listing:8"))
        ]
        assert sorted(statuses) == ["failed", "sent"]


def test_without_urls_alerts_are_logged_only_and_bad_urls_are_named(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    with pytest.raises(NotConfigured):
        build_notifier([])
    with pytest.raises(ConfigError, match=r"alerts\.urls"):
        AppriseNotifier(["nonsense-scheme://x"])
    with sessions.begin() as session:
        assert alert(session, None, Alert("listing:9", "1", "t", "b"), clock) == []
        assert alert(session, None, Alert("listing:9", "1", "t", "b"), clock) == []
    with sessions() as session:
        assert [d.channel for d in session.scalars(select(AlertDelivery))] == ["log"]
