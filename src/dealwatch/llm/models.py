"""The LLM spend ledger: one row per paid call, summed over the rolling window by the budget."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dealwatch.db.base import Amount, Base, UtcDateTime


class LlmSpend(Base):
    """What one LLM call cost (USD at the configured price of `model`), and when."""

    __tablename__ = "llm_spend"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    cost_usd: Mapped[Decimal] = mapped_column(Amount)
    model: Mapped[str] = mapped_column(String(100))
