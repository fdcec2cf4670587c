import asyncio
import html
import re
import socket
import time
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from dealwatch.sandbox import SandboxServer, SandboxWorld
from dealwatch.sandbox.faults import FAULT_MODES, Fault
from dealwatch.sandbox.pages import TEMPLATE_NAMES

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def server(world: SandboxWorld) -> Iterator[SandboxServer]:
    with SandboxServer(world, port=0) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "server" in request.fixturenames:
        server: SandboxServer = request.getfixturevalue("server")
        for slug in server.faults:
            server.set_fault(slug, None)
        server.set_date(date(2025, 1, 1))


def raw_exchange(url: str, path: str = "/", timeout: float = 3.0) -> bytes:
    """Send a bare GET and read until the server closes the connection."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


# ---- specs and worlds ----------------------------------------------------------------------------


def test_fault_specs_parse_with_defaults_and_refuse_bad_ones() -> None:
    assert Fault.parse("slow").param("delay_s") == 2.0
    assert Fault.parse("slow:0.5").param("delay_s") == 0.5
    limit = Fault.parse("rate_limit:3")
    assert (limit.param("retry_after_s"), limit.param("refusals")) == (3, 2)
    assert (
        str(Fault.parse(" rate_limit:1:2 ")) == "rate_limit:1:2"
        and str(Fault.parse("slow:0.5")) == "slow:0.5"
    )
    assert Fault.parse("cloudflare:503").param("status") == 503
    assert set(FAULT_MODES) >= {"slow", "timeout", "reset", "js_only", "robots_disallow", "huge", "drip"}
    for spec, reason in [
        ("sluggish", "unknown fault mode"),
        ("", "non-empty"),
        ("timeout:3", "at most 0"),
        ("rate_limit:1:2:3", "at most 2"),
        ("slow:soon", "must be a number"),
        ("slow:-1", "within"),
        ("unavailable:1.5", "whole number"),
        ("cloudflare:404", "one of"),
    ]:
        with pytest.raises(ValueError, match=reason):
            Fault.parse(spec)


def test_generate_with_faults_changes_no_store_calendar_or_page(world: SandboxWorld) -> None:
    plain = SandboxWorld.generate(n_stores=30, seed=7, days=60)
    slug = plain.stores[2].slug
    faulty = SandboxWorld.generate(n_stores=30, seed=7, days=60, faults={slug: "slow:0.5"}, fault_share=0.5)
    assert faulty.stores == plain.stores
    assert all(faulty.calendar(s.slug) == plain.calendar(s.slug) for s in plain.stores)
    assert faulty.render(slug, date(2025, 1, 9)) == plain.render(slug, date(2025, 1, 9))
    assert str(faulty.faults[slug]) == "slow:0.5"  # explicit modes win over the drawn ones
    assert len(faulty.faults) in (15, 16) and plain.faults == {}
    again = SandboxWorld.generate(n_stores=30, seed=7, days=60, faults={slug: "slow:0.5"}, fault_share=0.5)
    assert again.faults == faulty.faults
    everywhere = SandboxWorld.generate(n_stores=30, seed=7, days=60, fault_share=1.0).faults
    assert len(everywhere) == 30 and len({f.mode for f in everywhere.values()}) > 5

    walled = world.with_faults({world.stores[0].slug: "akamai"})
    assert {s: str(f) for s, f in walled.faults.items()} == {world.stores[0].slug: "akamai"}
    assert world.faults == {} and walled.truth(slug, date(2025, 3, 1)) == world.truth(slug, date(2025, 3, 1))
    with pytest.raises(KeyError, match="unknown sandbox store"):
        world.with_faults({"nope": "slow"})
    with pytest.raises(ValueError, match="unknown fault mode"):
        world.with_faults({slug: "sluggish"})
    with pytest.raises(ValueError, match="fault_share"):
        SandboxWorld.generate(n_stores=3, fault_share=1.5)


async def test_a_world_with_faults_serves_them_from_the_start() -> None:
    world = SandboxWorld.generate(n_stores=3, seed=2)
    first, second = world.stores[0].slug, world.stores[1].slug
    async with SandboxServer(world.with_faults({first: "bare403"})) as server, httpx.AsyncClient() as client:
        walled, normal = (
            await client.get(server.store_url(first)),
            await client.get(server.store_url(second)),
        )
        faults = (await client.get(f"{server.admin_url}/__admin/faults")).json()
    assert walled.status_code == 403 and normal.status_code == 200
    assert faults["faults"] == {first: "bare403"} and "drip" in faults["modes"]


# ---- the admin API -------------------------------------------------------------------------------


async def test_admin_switches_faults_at_run_time(server: SandboxServer, world: SandboxWorld) -> None:
    slug = world.stores[3].slug
    url = server.store_url(slug)
    async with httpx.AsyncClient(base_url=server.admin_url) as admin, httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 200
        response = await admin.post("/__admin/fault", json={"store": slug, "mode": "datadome"})
        assert response.status_code == 200 and response.json() == {"store": slug, "mode": "datadome"}
        assert (await admin.get("/__admin/faults")).json()["faults"] == {slug: "datadome"}
        assert (await client.get(url)).status_code == 403
        assert str(server.faults[slug]) == "datadome"
        response = await admin.post("/__admin/fault", json={"store": slug, "mode": None})
        assert response.json() == {"store": slug, "mode": None}
        assert (await admin.get("/__admin/faults")).json()["faults"] == {}
        assert (await client.get(url)).status_code == 200
    server.set_fault(slug, "unavailable:1")
    async with httpx.AsyncClient() as client:
        assert [(await client.get(url)).status_code for _ in range(2)] == [503, 200]
    with pytest.raises(ValueError, match="unknown store"):
        server.set_fault("nope", "slow")
    with pytest.raises(ValueError, match="unknown fault mode"):
        server.set_fault(slug, "sluggish")


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"content": b"not json"}, "JSON object"),
        ({"json": ["summit-works", "slow"]}, "JSON object"),
        ({"json": {"store": "summit-works"}}, "JSON object"),
        ({"json": {"store": "nope", "mode": "slow"}}, "unknown store"),
        ({"json": {"store": 7, "mode": "slow"}}, "'store'"),
        ({"json": {"store": "summit-works", "mode": "sluggish"}}, "unknown fault mode"),
        ({"json": {"store": "summit-works", "mode": 3}}, "'mode' must be a string"),
        ({"json": {"store": "summit-works", "mode": "slow:soon"}}, "must be a number"),
        ({"json": {"store": "summit-works", "mode": "rate_limit:1:2:3"}}, "at most 2"),
        ({"json": {"store": "summit-works", "mode": "cloudflare:404"}}, "one of"),
    ],
)
async def test_bad_fault_requests_are_a_400_with_a_reason(
    server: SandboxServer, kwargs: dict[str, object], reason: str
) -> None:
    async with httpx.AsyncClient(base_url=server.admin_url) as admin:
        response = await admin.post("/__admin/fault", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 400 and reason in response.json()["error"]
        assert (await admin.get("/__admin/faults")).json()["faults"] == {}


# ---- slow, hanging and broken connections --------------------------------------------------------


async def test_slow_answers_correctly_after_the_delay(server: SandboxServer, world: SandboxWorld) -> None:
    slow, other = world.stores[0].slug, world.stores[1].slug
    server.set_fault(slow, "slow:0.6")

    async def timed(url: str) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        return await client.get(url), time.monotonic() - started

    async with httpx.AsyncClient() as client:
        (page, waited), (other_page, other_waited) = await asyncio.gather(
            timed(server.store_url(slow)), timed(server.store_url(other))
        )
    assert page.status_code == 200 and page.text == world.render(slow, date(2025, 1, 1))
    assert 0.55 <= waited < 5 and other_page.status_code == 200 and other_waited < waited


async def test_timeout_never_answers_while_the_other_stores_do(
    server: SandboxServer, world: SandboxWorld
) -> None:
    hanging, others = world.stores[0].slug, world.stores[1:11]
    server.set_fault(hanging, "timeout")
    async with httpx.AsyncClient() as client:
        pending = asyncio.create_task(
            client.get(server.store_url(hanging), timeout=httpx.Timeout(5, read=1.2))
        )
        pages = await asyncio.gather(*(client.get(server.store_url(s.slug)) for s in others))
        assert not pending.done()
        with pytest.raises(httpx.ReadTimeout):
            await pending
        robots = await client.get(server.store_url(hanging) + "robots.txt", timeout=2)
    assert [p.text for p in pages] == [world.render(s.slug, date(2025, 1, 1)) for s in others]
    assert robots.status_code == 200 and robots.text == world.store(hanging).robots_txt


def test_reset_drops_the_connection_without_a_response(server: SandboxServer, world: SandboxWorld) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "reset")
    with pytest.raises(ConnectionResetError):
        raw_exchange(server.store_url(slug))
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        httpx.get(server.store_url(slug), timeout=3)
    assert httpx.get(server.store_url(slug) + "robots.txt", timeout=3).status_code == 200


def test_truncated_sends_half_the_body_it_announced(server: SandboxServer, world: SandboxWorld) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "truncated")
    head, _, body = raw_exchange(server.store_url(slug)).partition(b"\r\n\r\n")
    declared = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    page = world.render(slug, date(2025, 1, 1)).encode()
    assert head.startswith(b"HTTP/1.1 200") and declared == len(page)
    assert 0 < len(body) < declared and page.startswith(body)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
        httpx.get(server.store_url(slug), timeout=3)


async def test_drip_is_too_slow_for_a_deadline_though_no_read_times_out(
    server: SandboxServer, world: SandboxWorld
) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "drip")  # 8 bytes every 0.5 s
    received = 0
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(5, read=1.0)) as client,
        client.stream("GET", server.store_url(slug)) as response,
    ):
        declared = int(response.headers["content-length"])
        with pytest.raises(TimeoutError):  # the per-read timeout never fires: bytes keep coming
            async with asyncio.timeout(1.6):
                async for chunk in response.aiter_raw():
                    received += len(chunk)
    assert response.status_code == 200 and declared == len(world.render(slug, date(2025, 1, 1)).encode())
    assert 8 <= received <= 40 < declared


# ---- answers that defeat a plain GET -------------------------------------------------------------


async def test_rate_limit_refuses_the_first_requests_of_each_day(
    server: SandboxServer, world: SandboxWorld
) -> None:
    slug = world.stores[0].slug
    url = server.store_url(slug)
    server.set_fault(slug, "rate_limit:1:2")
    async with httpx.AsyncClient() as client:
        assert (await client.get(url + "robots.txt")).status_code == 200  # neither refused nor counted
        first, second, third = [await client.get(url) for _ in range(3)]
        server.set_date(date(2025, 1, 2))
        next_day = [(await client.get(url)).status_code for _ in range(3)]
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] == "1" and "Too Many Requests" in first.text
    assert third.status_code == 200 and third.text == world.render(slug, date(2025, 1, 1))
    assert next_day == [429, 429, 200]
    server.set_fault(slug, "rate_limit")
    async with httpx.AsyncClient() as client:
        refused = await client.get(url)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"


async def test_unavailable_comes_in_bursts_without_retry_after(
    server: SandboxServer, world: SandboxWorld
) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "unavailable:3")
    async with httpx.AsyncClient() as client:
        responses = [await client.get(server.store_url(slug)) for _ in range(4)]
    assert [r.status_code for r in responses] == [503, 503, 503, 200]
    assert "retry-after" not in responses[0].headers


async def test_redirect_loop_never_lands(server: SandboxServer, world: SandboxWorld) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "redirect_loop")
    async with httpx.AsyncClient(max_redirects=10) as client:
        first = await client.get(server.store_url(slug))
        second = await client.get(server.store_url(slug) + "a")
        with pytest.raises(httpx.TooManyRedirects):
            await client.get(server.store_url(slug), follow_redirects=True)
    assert (first.status_code, first.headers["location"]) == (302, "/a")
    assert (second.status_code, second.headers["location"]) == (302, "/")


async def test_huge_streams_fifty_megabytes_of_a_valid_page(
    server: SandboxServer, world: SandboxWorld
) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "huge")
    page = world.render(slug, date(2025, 1, 1)).encode()
    size, head, tail = 0, b"", b""
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", server.store_url(slug)) as response,
    ):
        async for chunk in response.aiter_raw(1 * MiB):
            head = head or chunk
            size += len(chunk)
            tail = (tail + chunk)[-64:]
    assert response.status_code == 200 and int(response.headers["content-length"]) == size >= 50 * MiB
    assert head.startswith(page[: page.index(b"</body>")][: len(head)]) and tail.endswith(b"</body></html>")


# ---- bot walls -----------------------------------------------------------------------------------

MARKERS = {
    "cloudflare": ("<title>Just a moment...</title>", "/cdn-cgi/challenge-platform/", "window._cf_chl_opt"),
    "akamai": ("<TITLE>Access Denied</TITLE>", "errors&#46;edgesuite&#46;net"),
    "perimeterx": ('<div id="px-captcha">', "window._pxAppId = 'PX", "_pxCaptcha", "Press &amp; Hold"),
    "datadome": ("var dd={", "captcha-delivery.com/c.js", "geo.captcha-delivery.com"),
    "imperva": ("Request unsuccessful. Incapsula incident ID: ", "/_Incapsula_Resource?"),
}


@pytest.mark.parametrize(
    ("mode", "status", "headers"),
    [
        ("cloudflare", 403, {"server": "cloudflare", "cf-mitigated": "challenge"}),
        ("cloudflare:503", 503, {"server": "cloudflare", "cf-mitigated": "challenge"}),
        ("akamai", 403, {"server": "AkamaiGHost", "mime-version": "1.0"}),
        ("perimeterx", 403, {}),
        ("datadome", 403, {"x-datadome": "protected", "x-dd-b": "1"}),
        ("imperva", 403, {"x-cdn": "Imperva"}),
        ("bare403", 403, {}),
    ],
)
async def test_bot_walls_look_like_their_vendor(
    server: SandboxServer, world: SandboxWorld, mode: str, status: int, headers: dict[str, str]
) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, mode)
    product = world.product_ids(slug)[0]
    async with httpx.AsyncClient() as client:
        home, sale, item = [
            await client.get(server.store_url(slug) + path) for path in ("", "sale", f"products/{product}")
        ]
        robots = await client.get(server.store_url(slug) + "robots.txt")
    assert home.status_code == sale.status_code == item.status_code == status
    assert home.headers["content-type"].startswith("text/html") and robots.status_code == 200
    assert {name: home.headers.get(name) for name in headers} == headers
    vendor = mode.split(":")[0]
    for name, markers in MARKERS.items():  # each page carries its own vendor's markers and no other's
        assert all(marker in home.text for marker in markers) == (name == vendor)
        assert not any(marker in home.text for marker in markers) or name == vendor
    cookies = home.headers.get_list("set-cookie")
    text = html.unescape(home.text)
    if vendor == "cloudflare":
        assert re.fullmatch(r"[0-9a-f]{16}-[A-Z]{3}", home.headers["cf-ray"])
        assert home.headers["cf-ray"].split("-")[0] in text and "Ray ID" in text
        assert "needs to review the security of your connection" in text and cookies[0].startswith("__cf_bm=")
    elif vendor == "akamai":
        assert f'You don\'t have permission to access "{server.store_url(slug)}" on this server.' in text
        assert re.search(r"Reference #18\.[0-9a-f]{8}\.\d{10}\.[0-9a-f]{8}", text)
    elif vendor == "perimeterx":
        assert "captcha.px-cdn.net" in text and cookies[0].startswith("_pxhd=")
    elif vendor == "datadome":
        assert home.headers["x-datadome-cid"] in text and cookies[0].startswith("datadome=")
    elif vendor == "imperva":
        incident = re.search(r"incident ID: (\d+-\d+)", text)
        assert incident and f"incident_id={incident.group(1)}" in text
        assert re.match(r"\d+-\d+-0 0NNN RT\(", home.headers["x-iinfo"])
        assert cookies[0].startswith("visid_incap_") and cookies[1].startswith("incap_ses_")
    else:
        assert len(home.content) < 200 and "403 Forbidden" in text


# ---- what only a browser sees, and robots.txt ----------------------------------------------------


async def test_js_only_keeps_the_sale_out_of_the_html(server: SandboxServer, world: SandboxWorld) -> None:
    sale_days = {}
    for store in world.stores:
        events = world.calendar(store.slug)
        if store.template not in sale_days and events:
            sale_days[store.template] = (store, events[0].start)
    assert set(sale_days) == set(TEMPLATE_NAMES)
    async with httpx.AsyncClient() as client:
        for store, day in sale_days.values():
            truth = world.truth(store.slug, day)
            assert truth.has_promotion and truth.promotion_text
            url = server.store_url(store.slug)
            server.set_date(day)
            assert (await client.get(url + "api/banner")).status_code == 404  # only js_only stores have it
            assert truth.promotion_text in html.unescape((await client.get(url)).text)
            server.set_fault(store.slug, "js_only")
            pages = [
                await client.get(url + path)
                for path in ("", "sale", f"products/{world.product_ids(store.slug)[0]}")
            ]
            banner = (await client.get(url + "api/banner")).json()
            admin_truth = (
                await client.get(f"{server.admin_url}/__admin/truth", params={"store": store.slug})
            ).json()
            for page in pages:
                assert page.status_code == 200 and "fetch('/api/banner'" in page.text
                raw = page.text
                for text in (truth.promotion_text, html.escape(truth.promotion_text)):
                    assert text not in raw and text not in html.unescape(raw)
            assert banner == {"kind": "sale", "text": truth.promotion_text, "href": "/sale"}
            assert admin_truth["has_promotion"] and admin_truth["promotion_text"] == truth.promotion_text
            server.set_fault(store.slug, None)
        store, day = next(iter(sale_days.values()))
        quiet = next(
            world.start + timedelta(days=n)
            for n in range(world.days)
            if world.banner(store.slug, world.start + timedelta(days=n)) is None
        )
        server.set_date(quiet)
        server.set_fault(store.slug, "js_only")
        nothing = (await client.get(server.store_url(store.slug) + "api/banner")).json()
    assert nothing == {"kind": None, "text": None, "href": None}


async def test_robots_disallow_shuts_everything_while_pages_stay_open(
    server: SandboxServer, world: SandboxWorld
) -> None:
    slug = world.stores[0].slug
    server.set_fault(slug, "robots_disallow")
    async with httpx.AsyncClient() as client:
        robots = await client.get(server.store_url(slug) + "robots.txt")
        page = await client.get(server.store_url(slug))
    assert robots.text == "User-agent: *\nDisallow: /\n" and page.status_code == 200


# ---- the server as a whole -----------------------------------------------------------------------


async def test_faulty_stores_leave_the_others_alone_and_stop_promptly() -> None:
    world = SandboxWorld.generate(n_stores=12, seed=3)
    modes = ["timeout", "drip", "slow:30", "huge:5", "reset", "truncated", "cloudflare"]
    faulty, healthy = world.stores[: len(modes)], world.stores[len(modes) :]
    server = SandboxServer(world.with_faults({s.slug: m for s, m in zip(faulty, modes, strict=True)}))
    async with server, httpx.AsyncClient(timeout=30) as client:

        async def attempt(url: str) -> httpx.Response | httpx.TransportError:
            try:
                return await client.get(url)
            except httpx.TransportError as exc:
                return exc

        held = [asyncio.create_task(attempt(server.store_url(s.slug))) for s in faulty]
        await asyncio.sleep(0.2)
        pages = await asyncio.gather(*(client.get(server.store_url(s.slug)) for s in healthy))
        assert [p.text for p in pages] == [world.render(s.slug, world.start) for s in healthy]
        huge, reset, truncated, walled = await asyncio.gather(*held[3:])
        assert isinstance(huge, httpx.Response) and len(huge.content) == 5 * MiB
        assert isinstance(reset, httpx.ReadError | httpx.RemoteProtocolError)
        assert isinstance(truncated, httpx.RemoteProtocolError)
        assert isinstance(walled, httpx.Response) and walled.status_code == 403
        assert not any(task.done() for task in held[:3])  # timeout, drip and slow:30 still hang
        started = time.monotonic()
        await asyncio.to_thread(server.stop)
        # uvicorn alone would wait out its 2 s grace period for them; the sandbox drops them at once
        assert time.monotonic() - started < 1.9
        hung = await asyncio.gather(*held[:3])
    assert all(isinstance(outcome, httpx.TransportError) for outcome in hung)
