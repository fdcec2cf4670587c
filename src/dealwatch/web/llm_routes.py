"""/v1/llm routes: what the LLM cost per day, and where the rolling 24 h spend stands against its budget."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Query, Request

from dealwatch.llm.budget import WINDOW, spend_by_day, spent_since
from dealwatch.web.deps import ClockDep, SessionDep
from dealwatch.web.schemas import LlmDayOut, LlmSpendOut

router = APIRouter(prefix="/v1/llm", tags=["llm"])


@router.get("/spend", response_model=LlmSpendOut)
def spend(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    days: int = Query(30, ge=1, le=366, description="days of history, today included"),
) -> LlmSpendOut:
    """Every use of the LLM (detection, evaluation of finds), all worker processes: one budget."""
    now = clock.now()
    limit = request.app.state.settings.llm.daily_budget_usd
    spent = spent_since(session, now - WINDOW)
    first = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    return LlmSpendOut(
        limit_usd=limit,
        spent_24h_usd=spent,
        paused=spent >= limit,
        days=[LlmDayOut(date=d.day, calls=d.calls, usd=d.usd) for d in spend_by_day(session, first)],
    )
