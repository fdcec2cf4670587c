"""The /v1 API in-process (httpx ASGITransport) on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.promo.detect.base import Detection
from dealwatch.promo.forecast import IntervalForecaster, build_forecaster, save_prediction, score_predictions
from dealwatch.promo.history import daily_flags, record_day
from dealwatch.promo.stores import add_store, parse_spec
from dealwatch.settings import Settings
from dealwatch.web.app import create_app

TODAY = date(2025, 11, 15)
SALE_STARTS = {date(2025, 9, 20), date(2025, 10, 18), date(2025, 11, 15)}


def _seed(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://www.johnlewis.com/", "name": "John Lewis"}), clock)
        add_store(session, parse_spec({"url": "https://quiet.example/", "name": "Quiet Shop"}), clock)
        day = date(2025, 9, 1)
        while day <= TODAY:
            on = any(start <= day < start + timedelta(days=3) for start in SALE_STARTS)
            detection = (
                Detection(True, 0.94, "rules", "seasonal_sale", "Autumn Sale: 30% off everything", 30)
                if on
                else Detection(False, 0.9, "rules")
            )
            outcome = "blocked" if day == date(2025, 10, 1) else "ok"
            record_day(
                session,
                store_id="john_lewis",
                day=day,
                fetch_outcome=outcome,
                clock=clock,
                detection=detection if outcome == "ok" else None,
            )
            record_day(
                session,
                store_id="quiet_shop",
                day=day,
                fetch_outcome="ok",
                clock=clock,
                detection=Detection(False, 0.9, "rules"),
            )
            flags = daily_flags(session, "john_lewis", day)
            score_predictions(session, "john_lewis", flags)  # as the pipeline does, day by day
            save_prediction(session, "john_lewis", IntervalForecaster().forecast(flags, day), day, clock)
            day += timedelta(days=1)


@pytest.fixture
async def client(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    _seed(sessions, clock)
    app = create_app(settings, clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_stores_list_with_prediction_and_current_promotion(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/stores")).json()
    assert body["total"] == 2
    stores = {s["website_id"]: s for s in body["stores"]}
    jl = stores["john_lewis"]
    assert jl["current_promotion"]["active"] is True
    assert jl["current_promotion"]["promotion_text"] == "Autumn Sale: 30% off everything"
    assert jl["prediction"]["prediction_date"] == "2025-12-13"  # 15 Nov + 28-day average gap
    assert jl["prediction"]["days_until"] == 28
    assert stores["quiet_shop"]["prediction"] is None
    assert stores["quiet_shop"]["current_promotion"] == {
        "active": False,
        "last_active": None,
        "as_of": "2025-11-15",
        "promotion_text": None,
        "promotion_type": None,
        "discount_pct": None,
    }


async def test_history_is_newest_first_with_unknown_days(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/stores/john_lewis/history", params={"limit": 5})).json()
    assert [h["date"] for h in body["history"]] == [
        "2025-11-15",
        "2025-11-14",
        "2025-11-13",
        "2025-11-12",
        "2025-11-11",
    ]
    assert body["count"] == 5 and body["total_records"] == 76
    since = (
        await client.get("/v1/stores/john_lewis/history", params={"since": "2025-09-30", "limit": 100})
    ).json()
    blocked = next(h for h in since["history"] if h["date"] == "2025-10-01")
    assert blocked["has_promotion"] is None and blocked["status"] == "unknown"
    assert blocked["fetch_outcome"] == "blocked"


async def test_prediction_and_promotions_by_date(client: httpx.AsyncClient) -> None:
    prediction = (await client.get("/v1/stores/john_lewis/prediction")).json()
    assert prediction["confidence_lower"] == "2025-12-06" and prediction["confidence_upper"] == "2025-12-20"
    assert prediction["method"] == "interval" and prediction["data_points"] == 3
    # issued 18 Oct .. 14 Nov, each said 15 Nov (18 Oct + 28 days), and the sale did start on 15 Nov
    assert prediction["track_record"] == {"scored": 28, "mae_days": 0.0, "within_7": 1.0}
    assert prediction["backtest"] is None  # the seed's rule is not replayed
    on_sale = (await client.get("/v1/promotions", params={"date": "2025-10-19"})).json()
    assert [p["website_id"] for p in on_sale["promotions"]] == ["john_lewis"]
    assert (await client.get("/v1/promotions", params={"date": "2025-10-25"})).json()["total"] == 0
    assert (await client.get("/v1/promotions")).json()["date"] == "2025-11-15"


async def test_errors_are_json_with_a_reason(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/stores/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "message": "no store with id 'nope'"}
    no_prediction = await client.get("/v1/stores/quiet_shop/prediction")
    assert no_prediction.status_code == 404 and "at least 2" in no_prediction.json()["message"]
    bad_date = await client.get("/v1/promotions", params={"date": "yesterday"})
    assert bad_date.status_code == 422
    assert (await client.get("/v1/stores/john_lewis/history", params={"limit": 0})).status_code == 422


async def test_health_docs_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/stores/{store_id}/prediction" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/metrics/")).status_code == 200


async def test_a_replayed_models_prediction_carries_its_backtest_error(
    client: httpx.AsyncClient, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    # Sales every 14 days, one day late every fourth time, for a year: the replays score ~26 starts.
    starts = [k * 14 + (1 if k % 4 == 3 else 0) for k in range(27)]
    flags = [(TODAY - timedelta(days=380 - n), any(s <= n < s + 3 for s in starts)) for n in range(381)]
    forecast = build_forecaster("cadence").forecast(flags, TODAY)
    with sessions.begin() as session:
        save_prediction(session, "quiet_shop", forecast, TODAY, clock)
    prediction = (await client.get("/v1/stores/quiet_shop/prediction")).json()
    assert prediction["method"] == "cadence"
    backtest = prediction["backtest"]
    assert backtest["sale_starts"] >= 20 and 0 < backtest["mae_days"] < 1.5
    page = (await client.get("/stores/quiet_shop")).text
    assert "replayed weekly over this store" in page
