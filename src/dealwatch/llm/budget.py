"""Token cost and the rolling 24 h budget: a circuit breaker that pauses the LLM tier past its limit."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import structlog

from dealwatch.core.clock import Clock
from dealwatch.llm.base import BudgetExceeded
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


class Budget:
    """Spend in the last 24 h by the injected clock; `check()` refuses calls once it reaches the limit."""

    def __init__(
        self,
        limit: Decimal,
        clock: Clock,
        *,
        path: Path | None = None,
        on_trip: BudgetAlert | None = None,
    ) -> None:
        self.limit = limit
        self.clock = clock
        self.path = path
        self.on_trip = on_trip
        self._ledger: list[tuple[datetime, Decimal]] = self._load()
        self._tripped = False

    def spent(self) -> Decimal:
        """USD spent within the rolling window."""
        self._forget_old()
        return sum((cost for _, cost in self._ledger), Decimal(0))

    def check(self) -> None:
        """Raise BudgetExceeded while the window's spend is at or past the limit."""
        spent = self.spent()
        if spent >= self.limit:
            self._trip(spent)
            raise BudgetExceeded(
                f"LLM budget spent: ${spent:.4f} of ${self.limit} in the last 24 h; LLM tier paused"
            )
        if self._tripped:
            log.info("llm budget breaker reset", spent=str(spent), limit=str(self.limit))
            self._tripped = False

    def record(self, cost: Decimal) -> None:
        """Add one call's cost; trips the breaker when the limit is reached."""
        if cost > 0:
            self._ledger.append((self.clock.now(), cost))
            self._save()
        spent = self.spent()
        if spent >= self.limit:
            self._trip(spent)

    def _trip(self, spent: Decimal) -> None:
        if self._tripped:
            return
        self._tripped = True
        log.warning("llm budget exceeded, tier paused", spent=str(spent), limit=str(self.limit))
        if self.on_trip is not None:
            self.on_trip(spent, self.limit)

    def _forget_old(self) -> None:
        cutoff = self.clock.now() - WINDOW
        if self._ledger and self._ledger[0][0] <= cutoff:
            self._ledger = [(at, cost) for at, cost in self._ledger if at > cutoff]
            self._save()

    def _load(self) -> list[tuple[datetime, Decimal]]:
        if self.path is None or not self.path.exists():
            return []
        rows = json.loads(self.path.read_text())
        return [(datetime.fromisoformat(at), Decimal(cost)) for at, cost in rows]

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([[at.isoformat(), str(cost)] for at, cost in self._ledger]))
        os.replace(tmp, self.path)
