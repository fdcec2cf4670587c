"""/v1/reviews in-process on both databases: listing, deciding with an API key, JSON errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.promo.detect.base import Detection
from dealwatch.promo.history import record_day, store_history
from dealwatch.promo.review import queue_review
from dealwatch.promo.stores import add_store, parse_spec
from dealwatch.settings import ApiSettings, Settings
from dealwatch.web.app import create_app

KEY = "k3y-for-tests-0123456789"
DAY = date(2025, 11, 14)
UNSURE = Detection(False, 0.55, "ml", evidence=("best:banner:div.strip",))


def _seed(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://shop.example/", "name": "Shop"}), clock)
        record_day(session, store_id="shop", day=DAY, fetch_outcome="ok", clock=clock, detection=UNSURE)
        queue_review(
            session,
            store_id="shop",
            day=DAY,
            url="https://shop.example/",
            detection=UNSURE,
            snapshot_id=None,
            clock=clock,
        )


async def _client(settings: Settings, clock: FrozenClock) -> httpx.AsyncClient:
    app = create_app(settings, clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    _seed(sessions, clock)
    async with await _client(settings.model_copy(update={"api": ApiSettings(key=KEY)}), clock) as client:
        yield client


async def test_list_and_get_pending_reviews(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/reviews")).json()
    assert body["pending"] == 1 and body["count"] == 1
    [item] = body["reviews"]
    assert item["website_id"] == "shop" and item["date"] == "2025-11-14" and item["status"] == "pending"
    assert item["proposed"]["confidence"] == 0.55 and item["proposed"]["tier"] == "ml"
    one = (await client.get(f"/v1/reviews/{item['id']}")).json()
    assert one == item
    missing = await client.get("/v1/reviews/4242")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


async def test_deciding_needs_the_key_and_updates_the_day(
    client: httpx.AsyncClient, sessions: sessionmaker[Session]
) -> None:
    review_id = (await client.get("/v1/reviews")).json()["reviews"][0]["id"]
    answer = {
        "has_promotion": True,
        "promotion_type": "seasonal_sale",
        "promotion_text": "Winter Sale on now",
    }
    refused = await client.post(f"/v1/reviews/{review_id}", json=answer, headers={"X-API-Key": "wrong"})
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    bad = await client.post(
        f"/v1/reviews/{review_id}", json={**answer, "promotion_type": "mega"}, headers={"X-API-Key": KEY}
    )
    assert bad.status_code == 422 and "promotion_type" in bad.json()["message"]
    done = await client.post(f"/v1/reviews/{review_id}", json=answer, headers={"X-API-Key": KEY})
    assert done.status_code == 200
    assert done.json()["status"] == "corrected" and done.json()["promotion_text"] == "Winter Sale on now"
    assert (await client.get("/v1/reviews")).json()["pending"] == 0
    with sessions() as session:
        [day] = store_history(session, "shop")
        assert day.has_promotion is True and day.tier == "review"


async def test_writes_are_refused_without_a_configured_key(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    _seed(sessions, clock)
    async with await _client(settings, clock) as client:
        response = await client.post(
            "/v1/reviews/1", json={"has_promotion": False}, headers={"X-API-Key": KEY}
        )
    assert response.status_code == 403 and "api.key" in response.json()["message"]


def test_placeholder_keys_are_refused() -> None:
    with pytest.raises(Exception, match="16\\+ characters"):
        Settings(api={"key": "changeme"})
