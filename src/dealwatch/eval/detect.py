"""The detection harness: run a cascade over a labelled directory of saved pages and score it.

DIR/labels.jsonl holds one JSON object per page: {"file": "pages/0001.html", "url": "https://...",
"has_promotion": true, "promotion_type": "seasonal_sale"}. Optional keys: "day" (ISO date the page
was fetched, for dated evidence), "selectors" (the store's per-store selectors) and "promotion_text" (the
banner text, which training uses to find the promotional line); others are ignored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from dealwatch.core.clock import SystemClock
from dealwatch.core.errors import InvalidInput
from dealwatch.fetch.base import FetchRequest
from dealwatch.fetch.content import needs_rendering
from dealwatch.promo.detect.base import Detection, Page, StoreHints
from dealwatch.promo.detect.calibration import expected_calibration_error
from dealwatch.promo.detect.cascade import Cascade, build_cascade
from dealwatch.settings import Settings

LABELS_FILE = "labels.jsonl"
_CALIBRATION_BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One line of labels.jsonl."""

    file: str
    url: str
    has_promotion: bool
    promotion_type: str | None
    day: date | None
    selectors: dict[str, str]
    promotion_text: str | None = None


def read_labels(directory: Path) -> list[LabelledPage]:
    """Parse DIR/labels.jsonl; a missing file or a bad line raises InvalidInput naming file and line."""
    path = directory / LABELS_FILE
    if not path.is_file():
        raise InvalidInput(f"{path}: no such labels file (expected one JSON object per line)")
    pages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not valid JSON: {exc.msg}") from exc
        pages.append(_labelled_page(record, where))
    if not pages:
        raise InvalidInput(f"{path}: no labelled pages")
    return pages


def _labelled_page(record: Any, where: str) -> LabelledPage:
    if not isinstance(record, dict):
        raise InvalidInput(f"{where}: expected a JSON object")
    if not isinstance(record.get("file"), str) or not record["file"]:
        raise InvalidInput(f"{where}: 'file' must be a non-empty string")
    if not isinstance(record.get("has_promotion"), bool):
        raise InvalidInput(f"{where}: 'has_promotion' must be true or false")
    try:
        day = date.fromisoformat(record["day"]) if record.get("day") else None
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: 'day' must be an ISO date (YYYY-MM-DD)") from exc
    selectors = record.get("selectors") or {}
    if not isinstance(selectors, dict):
        raise InvalidInput(f"{where}: 'selectors' must be an object of name -> CSS selector")
    return LabelledPage(
        file=record["file"],
        url=str(record.get("url") or ""),
        has_promotion=record["has_promotion"],
        promotion_type=record.get("promotion_type"),
        day=day,
        selectors={str(k): str(v) for k, v in selectors.items()},
        promotion_text=text if isinstance(text := record.get("promotion_text"), str) else None,
    )


def evaluate_detection(
    directory: Path, cascade: Cascade, render_with: Settings | None = None
) -> dict[str, Any]:
    """Run `cascade` on every labelled page of `directory` and return the metrics.

    No network, unless `render_with` is given: then pages that need a browser are rendered first by
    the browser tier those settings build, from a loopback server over `directory`.
    """
    labelled = read_labels(directory)
    pages: list[tuple[LabelledPage, str]] = []
    errors: list[str] = []
    for item in labelled:
        try:
            pages.append((item, (directory / item.file).read_text(encoding="utf-8", errors="replace")))
        except OSError as exc:
            errors.append(f"{item.file}: {exc.strerror or exc}")
    rendered: dict[str, str] = {}
    if render_with is not None:
        needing = [item.file for item, html in pages if needs_rendering(html, tuple(item.selectors.values()))]
        rendered, failed = asyncio.run(_render(directory, needing, render_with))
        errors += failed
    results: list[tuple[LabelledPage, Detection]] = []
    elapsed = 0.0
    for item, html in pages:
        page = Page(
            url=item.url, html=rendered.get(item.file, html), hints=StoreHints(item.selectors), day=item.day
        )
        started = time.perf_counter()
        detection = cascade.detect(page)
        elapsed += time.perf_counter() - started
        results.append((item, detection))
    metrics = _metrics(results, errors, elapsed)
    if render_with is not None:
        subset = [(item, d) for item, d in results if item.file in rendered]
        metrics["rendered"] = {
            key: value
            for key, value in _metrics(subset, [], 0.0).items()
            if key in ("n", "precision", "recall", "f1", "accuracy", "confusion", "tier_share", "mistakes")
        }
    return metrics


async def _render(directory: Path, files: list[str], settings: Settings) -> tuple[dict[str, str], list[str]]:
    """The files rendered by the browser tier, served from `directory` on loopback; and the failures."""
    from starlette.staticfiles import StaticFiles

    from dealwatch.fetch.browser import build_browser
    from dealwatch.testing import LoopbackServer

    if not files:
        return {}, []
    loopback = settings.fetch.model_copy(update={"allowed_networks": ["127.0.0.0/8"]})
    browser = build_browser(settings.model_copy(update={"fetch": loopback}), SystemClock())
    done: dict[str, str] = {}
    failed: list[str] = []
    try:
        with (
            LoopbackServer(StaticFiles(directory=directory)) as server,
            Progress(transient=True, console=Console(stderr=True)) as progress,
        ):
            task = progress.add_task("rendering", total=len(files))

            async def one(file: str) -> None:
                result = await browser.fetch(FetchRequest(url=f"{server.url}/{file}", source="eval"))
                if result.ok:
                    done[file] = result.text()
                else:
                    failed.append(f"{file}: rendering {result.outcome.value}: {result.reason}")
                progress.advance(task)

            await asyncio.gather(*(one(file) for file in files))
    finally:
        await browser.aclose()
    return done, failed


def evaluate_directory(
    directory: Path, settings: Settings, tiers: list[str] | None = None, render: bool = False
) -> dict[str, Any]:
    """The `dealwatch eval detect DIR [--tiers a,b] [--render]` harness: build the cascade, then score it."""
    cascade = build_cascade(settings, tiers)
    return {"tiers": cascade.names, **evaluate_detection(directory, cascade, settings if render else None)}


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _metrics(
    results: list[tuple[LabelledPage, Detection]], errors: list[str], elapsed: float
) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    typed_right = 0
    tiers: Counter[str] = Counter()
    mistakes = []
    for item, detection in results:
        predicted = detection.has_promotion is True
        tiers[detection.tier] += 1
        key = ("t" if predicted == item.has_promotion else "f") + ("p" if predicted else "n")
        counts[key] += 1
        if predicted and item.has_promotion and detection.promotion_type == item.promotion_type:
            typed_right += 1
        if predicted != item.has_promotion or not detection.decided:
            mistakes.append(
                {
                    "file": item.file,
                    "expected": item.has_promotion,
                    "got": detection.has_promotion,
                    "tier": detection.tier,
                    "confidence": detection.confidence,
                    "text": detection.promotion_text,
                }
            )
    n = len(results)
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    tier_share = {tier: _ratio(count, n) for tier, count in sorted(tiers.items())}
    decided = [(item, d) for item, d in results if d.decided]
    llm_calls = sum(1 for _, d in results if "llm" in d.ran)
    cost = sum(d.cost_usd for _, d in results)
    return {
        "n": n,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": _ratio(tp + tn, n),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "undecided": sum(1 for _, d in results if not d.decided),
        "type_accuracy": _ratio(typed_right, tp),
        "tier_share": tier_share,
        "llm_share": tier_share.get("llm", 0.0),
        "llm_calls_per_1k": round(1000 * llm_calls / n, 1) if n else 0.0,
        "llm_cost_per_1k_usd": round(1000 * cost / n, 4) if n else 0.0,
        "review_share": _ratio(sum(1 for _, d in results if d.review), n),
        "pages_per_second": round(n / elapsed, 1) if elapsed else 0.0,
        "ece": expected_calibration_error(
            [d.confidence for _, d in decided], [d.has_promotion == item.has_promotion for item, d in decided]
        ),
        "calibration": _calibration(results),
        "errors": len(errors),
        "error_files": errors,
        "mistakes": mistakes,
    }


def _calibration(results: list[tuple[LabelledPage, Detection]]) -> list[dict[str, Any]]:
    """Share of decided verdicts that were right, per confidence bin (calibrated: about the bin's value)."""
    bins = []
    low = 0.0
    for high in _CALIBRATION_BINS:
        inside = [
            (item, d)
            for item, d in results
            if d.decided and (low <= d.confidence < high or (high == 1.0 and d.confidence == 1.0))
        ]
        if inside:
            right = sum(1 for item, d in inside if d.has_promotion == item.has_promotion)
            bins.append(
                {
                    "confidence": f"{low:.1f}-{high:.1f}",
                    "n": len(inside),
                    "accuracy": _ratio(right, len(inside)),
                }
            )
        low = high
    return bins
