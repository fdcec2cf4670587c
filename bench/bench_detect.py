"""Benchmark: the detection cascade's speed, and how often the paid LLM tier would be asked.

Prints one JSON object per line: {"bench", "value", "unit", "baseline", "ratio"}.
  * pages/second on one core for the tiers before the LLM (structured ► rules ► ml), on sandbox
    home pages and on the multilingual corpus's test pages, with the rules tier alone as baseline;
  * LLM calls and cost per 1,000 pages with the full cascade (structured ► rules ► ml ► llm), the llm
    tier talking to a loopback fake of the Anthropic API through the real SDK (priced as Claude Haiku
    4.5); the baseline is the seed design's share of pages sent to its LLM (40-60%: 50%).
Sizes: BENCH_DETECT_STORES (default 60 sandbox stores, every 5th day of a year).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from dealwatch.core.clock import FrozenClock
from dealwatch.eval.detect import read_labels
from dealwatch.llm import LlmSettings, build_llm
from dealwatch.logs import configure_logging
from dealwatch.promo.detect.base import Detector, Page
from dealwatch.promo.detect.cascade import Cascade
from dealwatch.promo.detect.corpus import build_corpus
from dealwatch.promo.detect.llm_tier import LlmDetector
from dealwatch.promo.detect.ml import load_detector
from dealwatch.promo.detect.rules import RulesDetector
from dealwatch.promo.detect.structured import StructuredDetector
from dealwatch.sandbox import SandboxWorld
from dealwatch.sandbox.export import export_labelled
from dealwatch.settings import Settings
from dealwatch.testing import LoopbackServer
from dealwatch.testing_llm import FakeAnthropic

STORES = int(os.environ.get("BENCH_DETECT_STORES", "60"))
SEED_LLM_SHARE = 0.5  # the seed: "LLM needed on 40-60% of pages"


def emit(bench: str, value: float, unit: str, baseline: float, **extra: object) -> None:
    ratio = round(value / baseline, 2) if baseline else None
    print(
        json.dumps(
            {"bench": bench, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio, **extra}
        )
    )


def pages_of(directory: Path) -> list[Page]:
    return [
        Page(label.url, (directory / label.file).read_text(encoding="utf-8"), day=label.day)
        for label in read_labels(directory)
    ]


def rate(tiers: list[Detector], pages: list[Page], calibration: dict | None = None) -> float:
    cascade = Cascade(tiers, Settings().promo.detect.thresholds, calibration)
    fresh = [Page(p.url, p.html, day=p.day) for p in pages]  # no work shared with an earlier run
    started = time.process_time()
    for page in fresh:
        cascade.detect(page)
    return round(len(fresh) / (time.process_time() - started), 1)


def main() -> None:
    configure_logging("WARNING")
    ml = load_detector(None)
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_dir, corpus_dir = Path(tmp) / "sandbox", Path(tmp) / "corpus"
        world = SandboxWorld.generate(n_stores=STORES, seed=99, start=date(2025, 1, 1), days=365)
        export_labelled(world, sandbox_dir, every=5)
        build_corpus(corpus_dir)
        for name, directory in (("sandbox", sandbox_dir), ("corpus_test", corpus_dir / "test")):
            pages = pages_of(directory)
            before_llm = rate([StructuredDetector(), RulesDetector(), ml], pages, ml.model.calibration)
            rules_only = rate([RulesDetector()], pages)
            emit(f"detect_before_llm_{name}", before_llm, "pages/s/core", rules_only, pages=len(pages))
        llm_cost(pages_of(corpus_dir / "test"), ml)


def llm_cost(pages: list[Page], ml: Detector) -> None:
    fake = FakeAnthropic(
        api_key="sk-bench", responder=lambda prompt: '{"has_promotion": false, "confidence": 0.9}'
    )
    os.environ["DEALWATCH_BENCH_LLM_KEY"] = fake.api_key
    with LoopbackServer(fake.app) as server:
        settings = LlmSettings(
            provider="anthropic", base_url=server.url, api_key_env="DEALWATCH_BENCH_LLM_KEY"
        )
        llm = LlmDetector(build_llm(settings, FrozenClock.on(date(2025, 11, 28))))
        calibration = ml.model.calibration  # type: ignore[attr-defined]
        cascade = Cascade(
            [StructuredDetector(), RulesDetector(), ml, llm], Settings().promo.detect.thresholds, calibration
        )
        results = [cascade.detect(page) for page in pages]
        llm.close()
    calls = sum(1 for r in results if "llm" in r.ran)
    cost = sum(r.cost_usd for r in results)
    share = round(calls / len(pages), 4)
    emit("llm_share", share, "share of pages", SEED_LLM_SHARE, calls_per_1k=round(1000 * share, 1))
    emit(
        "llm_cost_per_1k_pages",
        round(1000 * cost / len(pages), 4),
        "USD",
        None,
        model=settings.resolved_model(),
    )


if __name__ == "__main__":
    main()
