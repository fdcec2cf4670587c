"""/v1/llm routes: what the LLM cost per day, and where the rolling 24 h spend stands against its budget."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from dealwatch.llm.budget import spend_report
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
    report = spend_report(session, clock.now(), request.app.state.settings.llm.daily_budget_usd, days)
    return LlmSpendOut(
        limit_usd=report.limit,
        spent_24h_usd=report.spent_24h,
        paused=report.paused,
        days=[LlmDayOut(date=d.day, calls=d.calls, usd=d.usd) for d in report.days],
    )
