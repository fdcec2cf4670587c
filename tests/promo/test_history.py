from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.promo.detect.base import Detection
from dealwatch.promo.history import daily_flags, last_active, on_sale, record_day, store_history
from dealwatch.promo.stores import add_store, parse_spec

SALE = Detection(True, 0.95, "rules", "seasonal_sale", "Black Friday Sale — up to 50% off", 50, ("hero h1",))
NO_SALE = Detection(False, 0.9, "rules")


def _setup(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://acme.example/", "name": "Acme"}), clock)


def test_rerunning_a_day_updates_the_same_row(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    _setup(sessions, clock)
    day = date(2025, 11, 28)
    for detection in (NO_SALE, SALE):
        with sessions.begin() as session:
            record_day(
                session, store_id="acme", day=day, fetch_outcome="ok", clock=clock, detection=detection
            )
    with sessions() as session:
        rows = store_history(session, "acme")
        assert len(rows) == 1
        assert rows[0].has_promotion and rows[0].discount_pct == 50 and rows[0].evidence == ["hero h1"]
        assert [r.store_id for r in on_sale(session, day)] == ["acme"]


def test_a_blocked_rerun_never_erases_a_known_day(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    _setup(sessions, clock)
    day = date(2025, 11, 28)
    with sessions.begin() as session:
        record_day(session, store_id="acme", day=day, fetch_outcome="ok", clock=clock, detection=SALE)
    with sessions.begin() as session:
        record_day(session, store_id="acme", day=day, fetch_outcome="blocked", clock=clock, note="HTTP 403")
    with sessions.begin() as session:
        record_day(
            session, store_id="acme", day=day + timedelta(days=1), fetch_outcome="blocked", clock=clock
        )
    with sessions() as session:
        flags = daily_flags(session, "acme", day + timedelta(days=1))
        assert flags == [(day, True), (day + timedelta(days=1), None)]
        assert last_active(session, "acme") == day
        newest_first = store_history(session, "acme", limit=1)
        assert newest_first[0].fetch_outcome == "blocked" and newest_first[0].has_promotion is None
