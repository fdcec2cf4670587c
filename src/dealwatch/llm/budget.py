"""Token cost and the rolling 24 h budget: a circuit breaker that pauses the LLM tier past its limit.

The spend is written to a `Ledger`: in the product the `llm_spend` table, so the detection cascade,
the flip job and every worker process share one budget that survives restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import Clock
from dealwatch.llm.base import BudgetExceeded
from dealwatch.llm.models import LlmSpend
from dealwatch.llm.settings import ModelPrice

log = structlog.get_logger(__name__)

WINDOW = timedelta(hours=24)
MILLION = Decimal(1_000_000)

BudgetAlert = Callable[[Decimal, Decimal], None]
"""Called with (spent in the window, limit) when the breaker trips."""


def token_cost(price: ModelPrice | None, input_tokens: int, output_tokens: int) -> Decimal:
    """USD for the tokens at `price` (zero for an unpriced model, e.g. a local server)."""
    if price is None:
        return Decimal(0)
    return (price.input * input_tokens + price.output * output_tokens) / MILLION


@dataclass(frozen=True, slots=True)
class DaySpend:
    """The LLM calls of one UTC day: how many were paid for, and what they cost."""

    day: date
    calls: int
    usd: Decimal


@dataclass(frozen=True, slots=True)
class SpendReport:
    """Where the rolling 24 h spend stands against the daily budget, and the spend of each recent day."""

    limit: Decimal
    spent_24h: Decimal
    days: list[DaySpend]

    @property
    def paused(self) -> bool:
        """The budget is spent: LLM calls wait until the spend falls below it."""
        return self.spent_24h >= self.limit


def spend_report(session: Session, now: datetime, limit: Decimal, days: int) -> SpendReport:
    """The spend of the last 24 h against `limit`, and per UTC day over `days` days (today included)."""
    first = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    return SpendReport(limit, spent_since(session, now - WINDOW), spend_by_day(session, first))


def spend_by_day(session: Session, since: datetime) -> list[DaySpend]:
    """The ledger's paid calls from `since` on, per UTC day, oldest first (days without any left out)."""
    days: dict[date, tuple[int, Decimal]] = {}
    for at, cost in session.execute(select(LlmSpend.at, LlmSpend.cost_usd).where(LlmSpend.at >= since)):
        calls, usd = days.get(at.date(), (0, Decimal(0)))
        days[at.date()] = (calls + 1, usd + cost)
    return [DaySpend(day, calls, usd) for day, (calls, usd) in sorted(days.items())]


class Ledger(Protocol):
    """Where the LLM calls' costs are written, and summed over a window."""

    def add(self, at: datetime, cost: Decimal, model: str) -> None: ...

    def spent_since(self, since: datetime) -> Decimal: ...


class MemoryLedger:
    """Costs kept in this process only (tools and tests without a database)."""

    def __init__(self) -> None:
        self._entries: list[tuple[datetime, Decimal]] = []

    def add(self, at: datetime, cost: Decimal, model: str) -> None:
        self._entries.append((at, cost))

    def spent_since(self, since: datetime) -> Decimal:
        self._entries = [(at, cost) for at, cost in self._entries if at > since]
        return sum((cost for _, cost in self._entries), Decimal(0))


class DatabaseLedger:
    """Costs in the `llm_spend` table: one budget for every client and worker process on the database,
    kept across restarts."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add(self, at: datetime, cost: Decimal, model: str) -> None:
        with self.sessions.begin() as session:
            session.add(LlmSpend(at=at, cost_usd=cost, model=model[:100]))

    def spent_since(self, since: datetime) -> Decimal:
        with self.sessions() as session:
            return spent_since(session, since)


def spent_since(session: Session, since: datetime) -> Decimal:
    """USD the ledger holds after `since`."""
    total = session.scalar(select(func.sum(LlmSpend.cost_usd)).where(LlmSpend.at > since))
    return Decimal(str(total or 0))


class Budget:
    """Spend in the last 24 h by the injected clock; `check()` refuses calls once it reaches the limit."""

    def __init__(
        self,
        limit: Decimal,
        clock: Clock,
        *,
        ledger: Ledger | None = None,
        on_trip: BudgetAlert | None = None,
    ) -> None:
        self.limit = limit
        self.clock = clock
        self.ledger = ledger or MemoryLedger()
        self.on_trip = on_trip
        self._tripped = False

    def spent(self) -> Decimal:
        """USD spent within the rolling window (by every client sharing the ledger)."""
        return self.ledger.spent_since(self.clock.now() - WINDOW)

    def check(self) -> None:
        """Raise BudgetExceeded while the window's spend is at or past the limit, or can't be read."""
        try:
            spent = self.spent()
        except Exception as exc:  # no call is made that the budget can't vouch for
            raise BudgetExceeded(
                f"LLM budget could not be read ({type(exc).__name__}: {exc}); call held"
            ) from exc
        if spent >= self.limit:
            self._trip(spent)
            raise BudgetExceeded(
                f"LLM budget spent: ${spent:.4f} of ${self.limit} in the last 24 h; LLM tier paused"
            )
        if self._tripped:
            log.info("llm budget breaker reset", spent=str(spent), limit=str(self.limit))
            self._tripped = False

    def record(self, cost: Decimal, model: str = "") -> None:
        """Add one call's cost; trips the breaker when the limit is reached.

        The call is made and paid for by now: a ledger that fails to write is logged, never raised,
        so the answer is not thrown away (the next `check` holds calls while the ledger can't be read).
        """
        try:
            if cost > 0:
                self.ledger.add(self.clock.now(), cost, model)
            spent = self.spent()
        except Exception as exc:
            log.error(
                "llm spend not recorded", cost=str(cost), model=model, error=f"{type(exc).__name__}: {exc}"
            )
            return
        if spent >= self.limit:
            self._trip(spent)

    def _trip(self, spent: Decimal) -> None:
        if self._tripped:
            return
        log.warning("llm budget exceeded, tier paused", spent=str(spent), limit=str(self.limit))
        if self.on_trip is not None:
            try:
                self.on_trip(spent, self.limit)
            except Exception as exc:  # tried again at the next call over the limit
                log.error("llm budget alert failed", error=f"{type(exc).__name__}: {exc}")
                return
        self._tripped = True
