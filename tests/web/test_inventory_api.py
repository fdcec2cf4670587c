"""/v1/inventory and /v1/analytics/flip in-process on both databases: the key guards writes, a bought
opportunity is listed and sold with profit from the fee tables or written off with its loss, and a refused
step changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.settings import ApiSettings, Settings
from dealwatch.testing import add_listing, add_opportunity
from dealwatch.web.app import create_app

KEY = "inventory-key-0123456789"
NOW = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
WRITE = {"X-API-Key": KEY}


@pytest.fixture
async def client(settings: Settings, sessions: sessionmaker[Session]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"api": ApiSettings(key=KEY)}), FrozenClock(NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


def _opportunity(sessions: sessionmaker[Session]) -> int:
    seen = NOW - timedelta(days=20)
    with sessions.begin() as session:
        listing = add_listing(session, "7790", seen=seen, title="Shimano Ultegra wheelset", price="150")
        columns = {"estimate": Decimal("400"), "net_profit": Decimal("180"), "score": 8.6}
        return add_opportunity(session, listing, buy_price=Decimal("150"), **columns).id


async def test_a_bought_opportunity_is_listed_sold_and_counted(
    client: httpx.AsyncClient, sessions: sessionmaker[Session]
) -> None:
    opportunity_id = _opportunity(sessions)
    body = {"opportunity_id": opportunity_id, "extra_costs": "12.50", "purchased_at": "2025-11-01T10:00:00Z"}
    assert (await client.post("/v1/inventory", json=body)).status_code == 401
    bought = await client.post("/v1/inventory", json=body, headers=WRITE)
    assert bought.status_code == 201, bought.text
    item = bought.json()
    assert (item["title"], item["status"]) == ("Shimano Ultegra wheelset", "purchased")
    assert Decimal(item["cost"]) == 150 and Decimal(item["estimated_resale"]) == 400  # from the opportunity
    decided = (await client.get(f"/v1/opportunities/{opportunity_id}")).json()
    assert decided["status"] == "confirmed"

    listed = await client.post(
        f"/v1/inventory/{item['id']}/listing",
        json={
            "marketplace": "ebay",
            "ask": "429.00",
            "url": "https://www.ebay.com/itm/1",
            "listed_at": "2025-11-02T08:00:00Z",
        },
        headers=WRITE,
    )
    assert listed.status_code == 200 and listed.json()["status"] == "listed"
    assert [i["id"] for i in (await client.get("/v1/inventory?status=listed")).json()["items"]] == [
        item["id"]
    ]

    sold = await client.post(
        f"/v1/inventory/{item['id']}/sale",
        json={
            "price": "380",
            "shipping_charged": "20",
            "shipping_cost": "18.40",
            "sold_at": "2025-11-12T18:00:00Z",
        },
        headers=WRITE,
    )
    assert sold.status_code == 200, sold.text
    out = sold.json()
    # eBay: 13.25% of 400 = 53.00 + $0.40; 380 + 20 − 53.40 − 18.40 − 150 − 12.50
    assert Decimal(out["fees"]) == Decimal("53.40")
    assert Decimal(out["realised_profit"]) == Decimal("165.70")
    assert (out["days_to_sell"], out["days_on_market"]) == (11, 10)
    assert out["valuation_error"] == pytest.approx(20 / 380)

    shown = (await client.get(f"/v1/inventory/{item['id']}")).json()
    assert [e["kind"] for e in shown["events"]] == ["purchased", "listed", "sold"]
    assert (await client.get("/v1/inventory?status=listed")).json()["count"] == 0

    analytics = (await client.get("/v1/analytics/flip")).json()
    assert analytics["listings_scanned"] == 1
    assert analytics["conversion"] == {
        "opportunities": 1,
        "bought": 1,
        "sold": 1,
        "written_off": 0,
        "bought_rate": 1.0,
        "sold_rate": 1.0,
        "written_off_rate": 0.0,
    }
    [month] = analytics["profit_by_month"]
    assert month["month"] == "2025-11" and Decimal(month["realised_profit"]["amount"]) == Decimal("165.70")
    [band] = analytics["calibration"]
    assert band["band"] == "8-10" and Decimal(band["expected_profit"]["amount"]) == Decimal("180")
    assert analytics["valuation_error"]["count"] == 1


async def test_refused_steps_answer_422_with_a_reason_and_change_nothing(client: httpx.AsyncClient) -> None:
    bought = await client.post(
        "/v1/inventory",
        json={"title": "road bike", "cost": "200", "purchased_at": "2025-11-05T10:00:00Z"},
        headers=WRITE,
    )
    item = bought.json()
    before = (await client.get(f"/v1/inventory/{item['id']}")).json()
    refusals = [
        (
            "sale",
            {"price": "300", "marketplace": "ebay", "sold_at": "2025-11-01T10:00:00Z"},
            "before it was bought",
        ),
        ("sale", {"price": "300"}, "which marketplace"),
        ("listing", {"marketplace": "craigslist", "ask": "300"}, "unknown marketplace"),
        ("listing", {"marketplace": "ebay", "ask": "-3"}, "ask must not be negative"),
    ]
    for step, body, reason in refusals:
        answer = await client.post(f"/v1/inventory/{item['id']}/{step}", json=body, headers=WRITE)
        assert answer.status_code == 422 and answer.json()["error"] == "invalid_input"
        assert reason in answer.json()["message"]
    assert (await client.get(f"/v1/inventory/{item['id']}")).json() == before
    negative = await client.post("/v1/inventory", json={"title": "x", "cost": "-1"}, headers=WRITE)
    assert negative.status_code == 422 and "cost must not be negative" in negative.json()["message"]
    assert (await client.get("/v1/inventory")).json()["count"] == 1
    missing = await client.post("/v1/inventory/999/sale", json={"price": "1"}, headers=WRITE)
    assert missing.status_code == 404


async def test_a_listed_opportunity_is_written_off_and_its_loss_counted(
    client: httpx.AsyncClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    opportunity_id = _opportunity(sessions)
    body = {"opportunity_id": opportunity_id, "extra_costs": "12.50", "purchased_at": "2025-11-01T10:00:00Z"}
    item = (await client.post("/v1/inventory", json=body, headers=WRITE)).json()
    listing = {"marketplace": "ebay", "ask": "429", "listed_at": "2025-11-02T08:00:00Z"}
    assert (await client.post(f"/v1/inventory/{item['id']}/listing", json=listing, headers=WRITE)).is_success
    before = (await client.get(f"/v1/inventory/{item['id']}")).json()
    assert before["written_off_at"] is None

    path = f"/v1/inventory/{item['id']}/write-off"
    write_off = {
        "reason": "returned to the seller: bent rim",
        "recovered": "40",
        "written_off_at": "2025-11-12T18:00:00Z",
        "by": "sam",
    }
    assert (await client.post(path, json=write_off)).status_code == 401
    assert (await client.post(path, json=write_off, headers={"X-API-Key": "wrong"})).status_code == 401
    app = create_app(settings, FrozenClock(NOW))  # no api.key: writes are disabled
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as keyless:
        disabled = await keyless.post(path, json=write_off, headers=WRITE)
    assert disabled.status_code == 403 and "api.key" in disabled.json()["message"]
    missing = await client.post("/v1/inventory/999/write-off", json=write_off, headers=WRITE)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    refusals = [
        ({**write_off, "reason": " "}, "needs a reason"),
        ({**write_off, "recovered": "-1"}, "recovered must not be negative"),
        ({**write_off, "written_off_at": "2025-11-02T07:00:00Z"}, "before it was listed"),
        ({**write_off, "written_off_at": "2025-11-16T09:00:00Z"}, "in the future"),
    ]
    for refused, reason in refusals:
        answer = await client.post(path, json=refused, headers=WRITE)
        assert answer.status_code == 422 and reason in answer.json()["message"], answer.text
    assert (await client.post(path, json={"recovered": "5"}, headers=WRITE)).status_code == 422  # no reason
    assert (await client.get(f"/v1/inventory/{item['id']}")).json() == before
    assert (await client.get(f"/v1/opportunities/{opportunity_id}")).json()["status"] == "listed"

    written_off = await client.post(path, json=write_off, headers=WRITE)
    assert written_off.status_code == 200, written_off.text
    out = written_off.json()
    assert (out["status"], out["written_off_at"]) == ("written_off", "2025-11-12T18:00:00Z")
    assert Decimal(out["realised_profit"]) == Decimal("-122.50")  # 40 recovered − 150 − 12.50
    assert out["sale_price"] is None and out["valuation_error"] is None
    shown = (await client.get(f"/v1/inventory/{item['id']}")).json()
    assert [e["kind"] for e in shown["events"]] == ["purchased", "listed", "written_off"]
    assert shown["events"][-1]["details"]["reason"] == "returned to the seller: bent rim"
    assert (await client.get(f"/v1/opportunities/{opportunity_id}")).json()["status"] == "written_off"
    listed = (await client.get("/v1/inventory?status=written_off")).json()
    assert [i["id"] for i in listed["items"]] == [item["id"]]
    again = await client.post(path, json=write_off, headers=WRITE)
    assert again.status_code == 422 and f"inventory item {item['id']} is already written off" in again.text

    analytics = (await client.get("/v1/analytics/flip")).json()
    assert (analytics["conversion"]["sold"], analytics["conversion"]["written_off"]) == (0, 1)
    [month] = analytics["profit_by_month"]
    assert (month["month"], month["sold"], month["written_off"]) == ("2025-11", 0, 1)
    assert Decimal(month["realised_profit"]["amount"]) == Decimal("-122.50")
    [band] = analytics["calibration"]
    assert (band["band"], band["sold"], band["written_off"], band["profitable"]) == ("8-10", 0, 1, 0)
    assert Decimal(band["mean_realised_profit"]["amount"]) == Decimal("-122.50")
    assert [(s["status"], s["items"]) for s in analytics["stock"]] == [("written_off", 1)]
    assert analytics["valuation_error"]["count"] == 0  # a write-off has no sale price to measure
