"""Plotly figures of the dashboard, built from feature values as plain JSON-ready dicts.

Each function returns `{"data": [...], "layout": {...}}` with dates as ISO strings, so a template only
embeds it with `|tojson` (which escapes `<`, `>` and `&`, so scraped text cannot end the script).
Text that Plotly shows on hover is HTML-escaped here too: Plotly reads a few tags in labels.
Amounts become floats only as chart coordinates; tables show the Decimals.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dealwatch.flip.analytics import BandCalibration, BandFunnel, MonthProfit
from dealwatch.llm.budget import DaySpend
from dealwatch.promo.models import Prediction, PromoDay

Figure = dict[str, Any]

SALE, NO_SALE, FORECAST, MUTED = "#c0392b", "#b8c4ce", "#e67e22", "#2c3e50"
DAY_MS = 86_400_000
BASE_LAYOUT: dict[str, Any] = {
    "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
    "height": 300,
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"family": "system-ui, sans-serif", "size": 12},
}


def _layout(**extra: Any) -> dict[str, Any]:
    return {**BASE_LAYOUT, **extra}


def _hover(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def promo_history(days: Sequence[PromoDay], start: date, end: date, prediction: Prediction | None) -> Figure:
    """Sale days and no-sale days from `start` to `end`, the forecast interval drawn ahead.

    Unknown days (blocked, failed, not fetched) are in neither series: they show as gaps, never as
    "no sale".
    """
    shown = sorted((d for d in days if start <= d.day <= end), key=lambda d: d.day)
    sales = [d for d in shown if d.has_promotion is True]
    quiet = [d for d in shown if d.has_promotion is False]
    data = [
        {
            "type": "bar",
            "name": "sale",
            "x": [d.day.isoformat() for d in sales],
            "y": [1] * len(sales),
            "hovertext": [_hover(d.promotion_text or d.promotion_type or "sale") for d in sales],
            "hoverinfo": "x+text",
            "marker": {"color": SALE},
            "width": DAY_MS,
        },
        {
            "type": "bar",
            "name": "no sale",
            "x": [d.day.isoformat() for d in quiet],
            "y": [1] * len(quiet),
            "hoverinfo": "x+name",
            "marker": {"color": NO_SALE},
            "width": DAY_MS,
        },
    ]
    right = end + timedelta(days=7)
    shapes: list[dict[str, Any]] = [_vline(end, MUTED, "dot")]
    annotations: list[dict[str, Any]] = []
    if prediction is not None and prediction.predicted_date is not None:
        lower = prediction.lower or prediction.predicted_date
        upper = prediction.upper or prediction.predicted_date
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": lower.isoformat(),
                "x1": (upper + timedelta(days=1)).isoformat(),
                "y0": 0,
                "y1": 1,
                "fillcolor": FORECAST,
                "opacity": 0.25,
                "line": {"width": 0},
            }
        )
        shapes.append(_vline(prediction.predicted_date, FORECAST, "solid"))
        annotations.append(
            {
                "x": prediction.predicted_date.isoformat(),
                "y": 1,
                "yref": "paper",
                "text": f"next sale ~{prediction.predicted_date.isoformat()}",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"color": FORECAST},
            }
        )
        right = max(right, upper + timedelta(days=7))
    layout = _layout(
        barmode="overlay",
        bargap=0,
        xaxis={"type": "date", "range": [start.isoformat(), right.isoformat()]},
        yaxis={"visible": False, "range": [0, 1], "fixedrange": True},
        shapes=shapes,
        annotations=annotations,
        height=230,
        margin={**BASE_LAYOUT["margin"], "t": 45},
    )
    return {"data": data, "layout": layout}


def _vline(day: date, color: str, dash: str) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": day.isoformat(),
        "x1": day.isoformat(),
        "y0": 0,
        "y1": 1,
        "line": {"color": color, "dash": dash, "width": 1.5},
    }


def track_record(scored: Sequence[Prediction]) -> Figure:
    """Per scored prediction (by issue day): the start it predicted and the start that came."""
    issued = [p.issued_on.isoformat() for p in scored]
    predicted = [p.predicted_date.isoformat() if p.predicted_date else None for p in scored]
    actual = [p.actual_date.isoformat() if p.actual_date else None for p in scored]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "predicted start",
            "x": issued,
            "y": predicted,
            "marker": {"color": FORECAST, "size": 6},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "actual start",
            "x": issued,
            "y": actual,
            "line": {"color": SALE, "shape": "hv"},
        },
    ]
    starts = [p.predicted_date for p in scored if p.predicted_date] + [
        p.actual_date for p in scored if p.actual_date
    ]
    yaxis: dict[str, Any] = {"type": "date", "title": {"text": "sale start"}, "tickformat": "%Y-%m-%d"}
    if starts:  # a week either side, so a record of identical dates still shows days, not milliseconds
        yaxis["range"] = [
            (min(starts) - timedelta(days=7)).isoformat(),
            (max(starts) + timedelta(days=7)).isoformat(),
        ]
    layout = _layout(
        margin={**BASE_LAYOUT["margin"], "l": 90},
        xaxis={"type": "date", "title": {"text": "issued on"}, "tickformat": "%Y-%m-%d"},
        yaxis=yaxis,
    )
    return {"data": data, "layout": layout}


def score_distribution(scores: Sequence[float]) -> Figure:
    """How many opportunities fall in each one-point score bin (0-1 … 9-10)."""
    counts = [0] * 10
    for value in scores:
        counts[min(9, max(0, int(value)))] += 1
    labels = [f"{low}-{low + 1}" for low in range(10)]
    data = [{"type": "bar", "x": labels, "y": counts, "marker": {"color": MUTED}, "name": "opportunities"}]
    layout = _layout(
        xaxis={"title": {"text": "score"}, "type": "category"},
        yaxis={"title": {"text": "opportunities"}, "rangemode": "tozero"},
        showlegend=False,
    )
    return {"data": data, "layout": layout}


def _coordinate(amount: Decimal) -> float:
    return float(amount)


def profit_by_month(months: Sequence[MonthProfit]) -> Figure:
    """Realised profit per month, one series per currency."""
    by_currency: dict[str, list[MonthProfit]] = {}
    for month in months:
        by_currency.setdefault(month.realised_profit.currency, []).append(month)
    data = [
        {
            "type": "bar",
            "name": f"realised profit ({currency})",
            "x": [m.month for m in rows],
            "y": [_coordinate(m.realised_profit.amount) for m in rows],
        }
        for currency, rows in sorted(by_currency.items())
    ]
    layout = _layout(
        xaxis={"type": "category", "title": {"text": "month"}}, yaxis={"title": {"text": "profit"}}
    )
    return {"data": data, "layout": layout}


def band_funnel(bands: Sequence[BandFunnel]) -> Figure:
    """Opportunities, bought, sold and written off per score band."""
    labels = [b.band for b in bands]
    fields = {
        "opportunities": "opportunities",
        "bought": "bought",
        "sold": "sold",
        "written off": "written_off",
    }
    data = [
        {"type": "bar", "name": name, "x": labels, "y": [getattr(b, field) for b in bands]}
        for name, field in fields.items()
    ]
    layout = _layout(barmode="group", xaxis={"type": "category", "title": {"text": "score band"}})
    return {"data": data, "layout": layout}


def calibration(bands: Sequence[BandCalibration]) -> Figure:
    """Expected against realised profit of the closed items (sold or written off), by the score band
    they were bought at.

    A band whose items had no expected profit (bought without an opportunity) has no expected bar.
    """
    labels = [f"{b.band} {b.realised_profit.currency}" for b in bands]
    expected = [_coordinate(b.expected_profit.amount) if b.expected_profit else None for b in bands]
    realised = [_coordinate(b.realised_profit.amount) for b in bands]
    data = [
        {"type": "bar", "name": "expected profit", "x": labels, "y": expected},
        {"type": "bar", "name": "realised profit", "x": labels, "y": realised},
    ]
    layout = _layout(barmode="group", xaxis={"type": "category", "title": {"text": "score band"}})
    return {"data": data, "layout": layout}


def llm_spend(days: Sequence[DaySpend], limit: Decimal) -> Figure:
    """What the LLM cost per day, against the daily budget (a rolling 24 h limit, drawn per day)."""
    data = [
        {
            "type": "bar",
            "name": "LLM spend (USD)",
            "x": [d.day.isoformat() for d in days],
            "y": [_coordinate(d.usd) for d in days],
            "text": [f"{d.calls} calls" for d in days],
            "marker": {"color": MUTED},
        }
    ]
    layout = _layout(
        xaxis={"type": "date", "title": {"text": "day (UTC)"}, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": "USD"}, "rangemode": "tozero"},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": _coordinate(limit),
                "y1": _coordinate(limit),
                "line": {"color": SALE, "dash": "dash"},
            }
        ],
    )
    return {"data": data, "layout": layout}
