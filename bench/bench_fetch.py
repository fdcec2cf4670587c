"""Benchmark: the daily promo pass over 1,000 sandbox stores with realistic latency, against Scrapy.

Prints one JSON object per line: {"bench", "value", "unit", "baseline", "ratio"}.
  * pipeline stores/minute and CPU seconds per store (http tier: fetch, snapshot, detect, record,
    forecast), with Scrapy fetching and parsing the same pages in the same run as the baseline;
  * the browser tier on JavaScript-only stores (pages/minute, CPU seconds per page incl. Chromium).
Sizes: BENCH_STORES (default 1000), BENCH_JS_STORES (default 40).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from dealwatch.core.clock import FrozenClock
from dealwatch.fetch.base import FetchRequest, Outcome
from dealwatch.fetch.tiers import build_ladder
from dealwatch.logs import configure_logging
from dealwatch.pipeline import run_daily
from dealwatch.promo.stores import StoreSpec, import_stores
from dealwatch.sandbox import SandboxServer, SandboxWorld
from dealwatch.services import build_services
from dealwatch.settings import Settings

DAY = date(2025, 11, 28)
STORES = int(os.environ.get("BENCH_STORES", "1000"))
JS_STORES = int(os.environ.get("BENCH_JS_STORES", "40"))

SCRAPY_SPIDER = """
import json, sys, time, resource
import scrapy
from scrapy.crawler import CrawlerProcess

urls = json.load(open(sys.argv[1]))

class Home(scrapy.Spider):
    name = "home"
    custom_settings = {
        "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "ERROR", "COOKIES_ENABLED": False, "RETRY_TIMES": 0,
        "TELNETCONSOLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 20,
    }
    pages = 0
    start_urls = urls

    def parse(self, response):
        Home.pages += 1
        text = " ".join(response.css("body *::text").getall())
        yield {"url": response.url, "title": response.css("title::text").get(), "chars": len(text)}

t0 = time.perf_counter()
process = CrawlerProcess({"ITEM_PIPELINES": {}})
process.crawl(Home)
process.start()
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": cpu, "pages": Home.pages}))
"""


def emit(bench: str, value: float, unit: str, baseline: float | None = None) -> None:
    ratio = round(value / baseline, 3) if baseline else None
    print(
        json.dumps(
            {"bench": bench, "value": round(value, 4), "unit": unit, "baseline": baseline, "ratio": ratio}
        )
    )


def world_with_latency() -> SandboxWorld:
    """Stores answering after 50-300 ms, like real shops; some drawing their banner with JavaScript only."""
    world = SandboxWorld.generate(n_stores=STORES, seed=2025, start=date(2025, 1, 1), days=365)
    rng = random.Random(7)
    faults = {s.slug: f"slow:{rng.uniform(0.05, 0.3):.3f}" for s in world.stores}
    for store in world.stores[:JS_STORES]:
        faults[store.slug] = "js_only"
    return world.with_faults(faults)


def serve(port_out: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """Child process: serve the sandbox until told to stop (the pipeline gets the other core)."""
    world = world_with_latency()
    with SandboxServer(world, port=0, start_date=DAY) as server:
        port_out.put({s.slug: server.store_url(s.slug) for s in world.stores})
        stop.wait()


def scrapy_baseline(urls: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "urls.json"
        url_file.write_text(json.dumps(urls))
        out = subprocess.run(
            [sys.executable, "-c", SCRAPY_SPIDER, str(url_file)], capture_output=True, text=True, timeout=1200
        )
    if out.returncode != 0:
        raise RuntimeError(f"scrapy failed: {out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def pipeline_pass(urls: dict[str, str], data_dir: Path) -> tuple[float, float, int]:
    settings = Settings(
        data_dir=data_dir,
        fetch={"per_host_delay": 0.0, "allowed_networks": ["127.0.0.0/8"], "tiers": ["http"], "timeout": 20},
    )
    services = build_services(settings, FrozenClock.on(DAY))
    specs = [StoreSpec(id=slug, name=slug, url=url) for slug, url in urls.items()]
    with services.sessions.begin() as session:
        import_stores(session, specs, services.clock)
    cpu0, t0 = time.process_time(), time.perf_counter()
    summary = await run_daily(services, DAY)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    await services.aclose()
    return seconds, cpu, summary.outcomes.get("ok", 0)


async def fetch_parse_pass(urls: list[str]) -> tuple[float, float, int]:
    """What Scrapy does, with dealwatch's parts: the ladder's http tier fetches, selectolax parses."""
    fetch = {"per_host_delay": 0.0, "allowed_networks": ["127.0.0.0/8"], "tiers": ["http"], "timeout": 20}
    ladder = build_ladder(Settings(fetch=fetch), FrozenClock.on(DAY))
    limit = asyncio.Semaphore(32)

    async def one(url: str) -> bool:
        async with limit:
            result = await ladder.fetch(FetchRequest(url=url, source="bench"))
        tree = LexborHTMLParser(result.text())
        return result.ok and bool(tree.body and tree.body.text(separator=" "))

    cpu0, t0 = time.process_time(), time.perf_counter()
    parsed = await asyncio.gather(*(one(u) for u in urls))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    await ladder.aclose()
    return seconds, cpu, sum(parsed)


async def browser_pass(urls: list[str]) -> tuple[float, float, int]:
    settings = Settings(
        fetch={"allowed_networks": ["127.0.0.0/8"], "tiers": ["browser"], "per_host_delay": 0.0}
    )
    ladder = build_ladder(settings, FrozenClock.on(DAY))
    if ladder.names != ["browser"]:
        raise RuntimeError("the browser tier is not available here (Chromium + playwright needed)")
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, t0 = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(ladder.fetch(FetchRequest(url=u, source="bench")) for u in urls))
    seconds = time.perf_counter() - t0
    await ladder.aclose()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)
    ok = sum(r.outcome is Outcome.OK for r in results)
    return seconds, time.process_time() - cpu0 + child_cpu, ok


def main() -> None:
    configure_logging("WARNING")
    ctx = multiprocessing.get_context("spawn")
    port_out, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(port_out, stop), daemon=True)
    server.start()
    try:
        urls: dict[str, str] = port_out.get(timeout=120)
        js_urls = list(urls.values())[:JS_STORES]
        plain = dict(list(urls.items())[JS_STORES:])

        baseline = scrapy_baseline(list(plain.values()))
        n = len(plain)
        scrapy_rate = baseline["pages"] / baseline["seconds"] * 60
        scrapy_cpu = round(baseline["cpu"] / max(1, baseline["pages"]), 5)
        seconds, cpu, ok = asyncio.run(fetch_parse_pass(list(plain.values())))
        emit("fetch_parse_pages_per_min", n / seconds * 60, "pages/min", round(scrapy_rate, 1))
        emit("fetch_parse_cpu_s_per_page", cpu / n, "cpu s/page", scrapy_cpu)
        emit("fetch_parse_ok_share", ok / n, "share")
        with tempfile.TemporaryDirectory() as tmp:
            seconds, cpu, ok = asyncio.run(pipeline_pass(plain, Path(tmp)))
        emit("pipeline_http_stores_per_min", n / seconds * 60, "stores/min", round(scrapy_rate, 1))
        emit("pipeline_http_cpu_s_per_store", cpu / n, "cpu s/store", scrapy_cpu)
        emit("pipeline_http_ok_share", ok / n, "share")
        emit("pipeline_http_wall_s", seconds, "s", round(baseline["seconds"], 2))

        if js_urls:
            seconds, cpu, ok = asyncio.run(browser_pass(js_urls))
            emit("browser_pages_per_min", len(js_urls) / seconds * 60, "pages/min")
            emit("browser_cpu_s_per_page", cpu / len(js_urls), "cpu s/page")
            emit("browser_ok_share", ok / len(js_urls), "share")
    finally:
        stop.set()
        server.join(timeout=20)


if __name__ == "__main__":
    main()
