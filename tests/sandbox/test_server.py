import asyncio
import socket
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from dealwatch.sandbox import SandboxServer, SandboxWorld, serve_forever
from dealwatch.sandbox.server import store_addresses


@pytest.fixture(scope="module")
def server(world: SandboxWorld) -> Iterator[SandboxServer]:
    with SandboxServer(world, port=0) as running:
        yield running


@pytest.fixture(autouse=True)
def reset_date(request: pytest.FixtureRequest) -> None:
    if "server" in request.fixturenames:
        request.getfixturevalue("server").set_date(date(2025, 1, 1))


async def test_each_store_answers_on_its_own_address_with_its_own_page(
    server: SandboxServer, world: SandboxWorld
) -> None:
    urls = {server.store_url(s.slug) for s in world.stores}
    assert len(urls) == len(world.stores)
    assert server.store_url(world.stores[0].slug) == f"http://127.0.0.2:{server.port}/"
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(server.store_url(s.slug)) for s in world.stores))
    for store, response in zip(world.stores, responses, strict=True):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.text == world.render(store.slug, date(2025, 1, 1))


async def test_robots_and_other_pages(server: SandboxServer, world: SandboxWorld) -> None:
    async with httpx.AsyncClient() as client:
        for store in world.stores[:5]:
            base = server.store_url(store.slug)
            robots = await client.get(base + "robots.txt")
            assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
            assert robots.text == store.robots_txt and "Disallow: /checkout" in robots.text
            assert (await client.get(base + "sale")).status_code == 200
            product = world.product_ids(store.slug)[3]
            assert (await client.get(f"{base}products/{product}")).status_code == 200
            assert (await client.get(base + "products/1")).status_code == 404
            assert (await client.get(base + "checkout")).status_code == 404
            assert (await client.post(base)).status_code == 405
    assert any("Crawl-delay: 1" in s.robots_txt for s in SandboxWorld.generate(60, seed=7).stores)


async def test_admin_date_change_changes_the_page_and_the_truth(
    server: SandboxServer, world: SandboxWorld
) -> None:
    store, event = next((s, e) for s in world.stores for e in world.calendar(s.slug) if e.start.month > 1)
    url, admin = server.store_url(store.slug), server.admin_url
    async with httpx.AsyncClient() as client:
        before = await client.get(url)
        response = await client.post(f"{admin}/__admin/date", json={"date": event.start.isoformat()})
        assert response.status_code == 200 and response.json() == {"date": event.start.isoformat()}
        assert (await client.get(f"{admin}/__admin/date")).json() == {"date": event.start.isoformat()}
        after = await client.get(url)
        truth = (await client.get(f"{admin}/__admin/truth", params={"store": store.slug})).json()
    assert after.text != before.text
    assert after.text == world.render(store.slug, event.start)
    assert truth["has_promotion"] is True
    assert truth["promotion_text"] == event.text_on(event.start)
    assert truth["promotion_type"] == event.promotion_type
    assert server.current_date == event.start


async def test_truth_and_calendar_endpoints(server: SandboxServer, world: SandboxWorld) -> None:
    store = world.stores[1]
    async with httpx.AsyncClient(base_url=server.admin_url) as client:
        calendar = (await client.get("/__admin/calendar", params={"store": store.slug})).json()
        first = calendar["events"][0]
        truth = (
            await client.get("/__admin/truth", params={"store": store.slug, "date": first["start"]})
        ).json()
        stores = (await client.get("/__admin/stores")).json()
    assert [e["start"] for e in calendar["events"]] == [
        e.start.isoformat() for e in world.calendar(store.slug)
    ]
    assert truth["has_promotion"] and truth["date"] == first["start"]
    assert [s["slug"] for s in stores] == [s.slug for s in world.stores]
    assert stores[1]["url"] == server.store_url(store.slug)
    assert set(stores[0]) == {"slug", "name", "url", "category", "country", "selectors"}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "reason"),
    [
        ("POST", "/__admin/date", {"content": b"not json"}, "JSON"),
        ("POST", "/__admin/date", {"json": {"day": "2025-03-01"}}, '"date"'),
        ("POST", "/__admin/date", {"json": ["2025-03-01"]}, '"date"'),
        ("POST", "/__admin/date", {"json": {"date": "01/03/2025"}}, "YYYY-MM-DD"),
        ("POST", "/__admin/date", {"json": {"date": 20250301}}, "string"),
        ("POST", "/__admin/date", {"json": {"date": "2031-01-01"}}, "outside"),
        ("GET", "/__admin/truth", {"params": {"date": "2025-03-01"}}, "'store'"),
        ("GET", "/__admin/truth", {"params": {"store": "nope"}}, "unknown store"),
        ("GET", "/__admin/truth", {"params": {"store": "summit-works", "date": "soon"}}, "bad date"),
        ("GET", "/__admin/calendar", {"params": {"store": "nope"}}, "unknown store"),
    ],
)
async def test_bad_admin_input_is_a_400_with_a_reason(
    server: SandboxServer, method: str, path: str, kwargs: dict[str, object], reason: str
) -> None:
    async with httpx.AsyncClient(base_url=server.admin_url) as client:
        response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 400
        assert reason in response.json()["error"]
        assert (await client.get("/__admin/date")).json() == {"date": "2025-01-01"}


async def test_unknown_admin_routes_answer_json(server: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=server.admin_url) as client:
        missing, wrong_method = await client.get("/__admin/nope"), await client.delete("/__admin/date")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()


def test_set_date_refuses_days_outside_the_window(server: SandboxServer) -> None:
    with pytest.raises(ValueError, match="outside the sandbox window"):
        server.set_date(date(2024, 12, 31))


def test_store_addresses_wrap_past_the_last_octet() -> None:
    addresses = store_addresses("127.0.0.1", 600)
    assert addresses[0] == "127.0.0.2" and addresses[252] == "127.0.0.254"
    assert addresses[253] == "127.0.1.1" and addresses[507] == "127.0.2.1"
    assert len(set(addresses)) == 600
    with pytest.raises(ValueError, match="loopback"):
        store_addresses("10.0.0.1", 3)


async def test_three_hundred_stores_are_served_each_on_its_own_socket() -> None:
    world = SandboxWorld.generate(n_stores=300, seed=5)
    async with SandboxServer(world) as server:
        sample = [*world.stores[::25], world.stores[-1]]
        assert server.store_url(world.stores[-1].slug).startswith("http://127.0.1.")
        async with httpx.AsyncClient() as client:
            responses = await asyncio.gather(*(client.get(server.store_url(s.slug)) for s in sample))
        for store, response in zip(sample, responses, strict=True):
            assert response.status_code == 200
            assert f"<title>{store.name.replace('&', '&amp;')} " in response.text
    with socket.socket() as probe:  # stopped: the port is released
        probe.bind(("127.0.1.47", server.port))


async def test_serve_forever_serves_until_cancelled() -> None:
    world = SandboxWorld.generate(n_stores=3, seed=1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    task = asyncio.create_task(serve_forever(world, port))
    async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=20)) as client:
        response = await client.get(f"http://127.0.0.1:{port}/__admin/stores", timeout=5)
        assert [s["url"] for s in response.json()] == [f"http://127.0.0.{i}:{port}/" for i in (2, 3, 4)]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with socket.socket() as probe:
        probe.bind(("127.0.0.2", port))
