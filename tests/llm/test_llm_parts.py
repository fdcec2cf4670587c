"""The wrappers on their own: Retry-After parsing, the budget ledger, the response cache, reply parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.db import create_db_engine, session_factory
from dealwatch.llm import BudgetExceeded
from dealwatch.llm.budget import Budget, DatabaseLedger, token_cost
from dealwatch.llm.cache import ResponseCache, cache_key
from dealwatch.llm.client import parse_reply
from dealwatch.llm.models import LlmSpend
from dealwatch.llm.retry import retry_after_seconds
from dealwatch.llm.settings import LlmSettings, ModelPrice


class Answer(BaseModel):
    ok: bool


def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 11, 28, 12, tzinfo=UTC))


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = clock()
    assert retry_after_seconds("12", now) == 12.0
    assert retry_after_seconds("Fri, 28 Nov 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 28 Nov 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_token_cost_is_exact_decimal() -> None:
    price = ModelPrice(input=Decimal("0.15"), output=Decimal("0.60"))
    assert token_cost(price, 1000, 500) == Decimal("0.00045")
    assert token_cost(None, 1000, 500) == 0


def test_budget_rolls_over_24_hours(tmp_path: Path) -> None:
    now = clock()
    alerts: list[Decimal] = []
    budget = Budget(Decimal(2), now, on_trip=lambda spent, limit: alerts.append(spent))
    budget.record(Decimal("1.5"))
    now.advance(timedelta(hours=12))
    budget.record(Decimal("0.6"))
    assert alerts == [Decimal("2.1")]
    with pytest.raises(BudgetExceeded):
        budget.check()
    now.advance(timedelta(hours=12))  # the first 1.5 leaves the window
    budget.check()
    assert budget.spent() == Decimal("0.6")


def test_budgets_on_one_database_share_the_spend_and_keep_it_across_restarts(
    sessions: sessionmaker[Session],
) -> None:
    # Two clients (the detection tier's and the flip job's, or two worker processes) on one database.
    now = clock()
    alerts: list[Decimal] = []
    detect = Budget(Decimal(2), now, ledger=DatabaseLedger(sessions))
    flip = Budget(Decimal(2), now, ledger=DatabaseLedger(sessions), on_trip=lambda s, limit: alerts.append(s))
    detect.record(Decimal("1.5"), "claude-haiku-4-5")
    now.advance(timedelta(hours=12))
    flip.record(Decimal("0.6"), "claude-haiku-4-5")
    assert alerts == [Decimal("2.1")]  # the flip client's own $0.60 tripped the shared $2
    with pytest.raises(BudgetExceeded):
        detect.check()
    with pytest.raises(BudgetExceeded):
        Budget(Decimal(2), now, ledger=DatabaseLedger(sessions)).check()  # a restart keeps the spend
    now.advance(timedelta(hours=12))
    detect.check()
    assert detect.spent() == flip.spent() == Decimal("0.6")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LlmSpend)) == 2


def test_cache_ttl_bound_and_bad_files(tmp_path: Path) -> None:
    now = clock()
    cache = ResponseCache(now, ttl=60, directory=tmp_path, max_entries=1)
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"  # dropped from memory, still on disk
    (tmp_path / "c.json").write_text("not json")
    assert cache.get("c") is None
    now.advance(timedelta(seconds=60))
    assert cache.get("b") is None and not (tmp_path / "b.json").exists()
    assert cache_key("m", "s", "p", "x.Answer") != cache_key("m", "s", "p", "y.Answer")


def test_zero_ttl_turns_the_cache_off() -> None:
    cache = ResponseCache(clock(), ttl=0)
    cache.put("a", "1")
    assert cache.get("a") is None


def test_parse_reply_accepts_a_code_fence_and_rejects_prose() -> None:
    assert parse_reply('```json\n{"ok": true}\n```', Answer) == Answer(ok=True)
    with pytest.raises(ValueError):
        parse_reply('Sure: {"ok": true}', Answer)


def test_a_ledger_that_fails_never_loses_a_paid_answer_and_holds_the_next_call(tmp_path: Path) -> None:
    # A database without the llm_spend table: every read and write of the ledger fails.
    engine = create_db_engine(f"sqlite:///{tmp_path / 'no-schema.db'}")
    budget = Budget(Decimal(2), clock(), ledger=DatabaseLedger(session_factory(engine)))
    budget.record(Decimal("0.01"), "claude-haiku-4-5")  # logged, not raised: the reply was paid for
    with pytest.raises(BudgetExceeded, match="could not be read"):
        budget.check()  # a call the budget can't vouch for is held
    engine.dispose()


def test_a_failed_budget_alert_is_tried_again_at_the_next_call_over_the_limit() -> None:
    attempts: list[Decimal] = []

    def alert(spent: Decimal, limit: Decimal) -> None:
        attempts.append(spent)
        if len(attempts) == 1:
            raise ConnectionError("alert channel down")

    budget = Budget(Decimal(1), clock(), on_trip=alert)
    budget.record(Decimal("1.5"))  # trips; the alert fails, quietly
    with pytest.raises(BudgetExceeded):
        budget.check()  # trips again: this time the alert goes out
    with pytest.raises(BudgetExceeded):
        budget.check()
    assert attempts == [Decimal("1.5"), Decimal("1.5")]


def test_the_removed_budget_file_setting_says_where_the_spend_went() -> None:
    with pytest.raises(ValidationError, match="kept in the database"):
        LlmSettings.model_validate({"provider": "anthropic", "budget_file": "/var/lib/dealwatch/llm.json"})
