"""The detection harness, run on the labelled fixture corpus (tuning set and held-out set)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.eval.detect import evaluate_detection, evaluate_directory, read_labels
from dealwatch.promo.detect.base import PROMOTION_TYPES
from dealwatch.promo.detect.cascade import build_cascade
from dealwatch.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "detect"
HOLDOUT = CORPUS / "holdout"


@pytest.fixture(scope="module")
def tuning_metrics() -> dict:
    return evaluate_detection(CORPUS, build_cascade(Settings()))


@pytest.fixture(scope="module")
def holdout_metrics() -> dict:
    return evaluate_detection(HOLDOUT, build_cascade(Settings()))


def test_corpus_is_varied_and_balanced() -> None:
    labels = read_labels(CORPUS) + read_labels(HOLDOUT)
    assert len(labels) >= 80
    positives = [item for item in labels if item.has_promotion]
    assert 0.4 <= len(positives) / len(labels) <= 0.6
    assert {item.promotion_type for item in positives} == set(PROMOTION_TYPES)
    langs = Counter()
    for directory in (CORPUS, HOLDOUT):
        for item in read_labels(directory):
            html = (directory / item.file).read_text(encoding="utf-8")
            assert 1_000 <= len(html.encode()) <= 15_000, item.file
            langs[html.split('lang="', 1)[1][:2]] += 1
    assert {"en", "de", "fr", "es", "it", "nl"} <= set(langs)


def test_holdout_scores(holdout_metrics: dict) -> None:
    assert holdout_metrics["n"] == len(read_labels(HOLDOUT))
    assert holdout_metrics["ece"] <= 0.1
    assert holdout_metrics["precision"] >= 0.9
    assert holdout_metrics["recall"] >= 0.85
    assert holdout_metrics["type_accuracy"] >= 0.8
    assert holdout_metrics["errors"] == 0


def test_tuning_scores(tuning_metrics: dict) -> None:
    assert tuning_metrics["precision"] >= 0.9
    assert tuning_metrics["recall"] >= 0.9
    assert tuning_metrics["f1"] >= 0.9


def test_report_shape(tuning_metrics: dict) -> None:
    assert tuning_metrics["llm_share"] == 0.0
    assert sum(tuning_metrics["tier_share"].values()) == pytest.approx(1.0, abs=0.01)
    assert set(tuning_metrics["tier_share"]) <= {"structured", "rules", "ml", "none"}  # no LLM configured
    assert tuning_metrics["llm_calls_per_1k"] == 0.0 and tuning_metrics["llm_cost_per_1k_usd"] == 0.0
    assert 0.0 <= tuning_metrics["ece"] <= 0.2 and 0.0 <= tuning_metrics["review_share"] <= 1.0
    assert tuning_metrics["pages_per_second"] > 0
    confusion = tuning_metrics["confusion"]
    assert sum(confusion.values()) == tuning_metrics["n"]
    assert tuning_metrics["accuracy"] == pytest.approx(
        (confusion["tp"] + confusion["tn"]) / tuning_metrics["n"], abs=1e-3
    )
    json.dumps(tuning_metrics)


def write_corpus(directory: Path, lines: list[str], pages: dict[str, str]) -> Path:
    (directory / "pages").mkdir(parents=True, exist_ok=True)
    for name, html in pages.items():
        (directory / name).write_text(html, encoding="utf-8")
    (directory / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


SALE = '<html><body><div class="announcement-bar">20% off everything today</div><p>Welcome</p></body></html>'


def test_unreadable_page_is_counted_not_fatal(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "file": "pages/a.html",
                "url": "https://a.example/",
                "has_promotion": True,
                "promotion_type": "percentage_off",
            }
        ),
        json.dumps({"file": "pages/missing.html", "url": "https://b.example/", "has_promotion": False}),
    ]
    metrics = evaluate_detection(
        write_corpus(tmp_path, lines, {"pages/a.html": SALE}), build_cascade(Settings())
    )
    assert metrics["n"] == 1
    assert metrics["errors"] == 1
    assert metrics["recall"] == 1.0


def test_missing_labels_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"labels\.jsonl"):
        evaluate_detection(tmp_path, build_cascade(Settings()))


@pytest.mark.parametrize(
    "bad_line",
    [
        "{not json",
        json.dumps({"url": "https://x.example/", "has_promotion": True}),
        json.dumps({"file": "pages/a.html", "has_promotion": "yes"}),
        "[1, 2]",
    ],
)
def test_bad_label_line_names_file_and_line(tmp_path: Path, bad_line: str) -> None:
    good = json.dumps({"file": "pages/a.html", "has_promotion": True})
    write_corpus(tmp_path, [good, bad_line], {"pages/a.html": SALE})
    with pytest.raises(InvalidInput, match=r"labels\.jsonl:2"):
        evaluate_detection(tmp_path, build_cascade(Settings()))


def test_cli_entry_builds_the_requested_tiers(tmp_path: Path) -> None:
    lines = [json.dumps({"file": "pages/a.html", "has_promotion": True, "promotion_type": "percentage_off"})]
    metrics = evaluate_directory(write_corpus(tmp_path, lines, {"pages/a.html": SALE}), Settings(), ["rules"])
    assert metrics["tiers"] == ["rules"]
    assert metrics["tier_share"] == {"rules": 1.0}


def test_day_and_selectors_from_labels_reach_the_detectors(tmp_path: Path) -> None:
    event = (
        '<script type="application/ld+json">{"@type":"SaleEvent","name":"Spring Sale",'
        '"startDate":"2024-04-01","endDate":"2024-04-07"}</script>'
    )
    hidden_place = (
        "<html><head>" + event + '</head><body><div class="q7">Extra 30% off sitewide</div></body></html>'
    )
    lines = [
        json.dumps(
            {
                "file": "pages/e.html",
                "has_promotion": True,
                "promotion_type": "seasonal_sale",
                "day": "2024-04-03",
            }
        ),
        json.dumps(
            {
                "file": "pages/s.html",
                "has_promotion": True,
                "promotion_type": "percentage_off",
                "selectors": {"promo": ".q7"},
            }
        ),
    ]
    pages = {"pages/e.html": hidden_place, "pages/s.html": hidden_place.replace(event, "")}
    cascade = build_cascade(Settings(), ["structured", "rules"])
    metrics = evaluate_detection(write_corpus(tmp_path, lines, pages), cascade)
    assert metrics["tier_share"] == {"rules": 0.5, "structured": 0.5}
    assert metrics["type_accuracy"] == 1.0


SCRIPTED = """<html><body><div id="site-notice" class="css-x1"></div>
<p>Handmade ceramics from our studio, glazed and fired in small batches, shipped in recycled boxes.
Every piece is one of a kind: small differences in colour and shape are part of the charm.</p>
<script>document.getElementById('site-notice').textContent = 'Summer sale: 30% off everything';</script>
</body></html>"""


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium: apt-get install -y chromium")
def test_render_runs_javascript_pages_through_the_browser_and_reports_them(tmp_path: Path) -> None:
    quiet = (
        "<html><body><p>"
        + "Handmade ceramics from our studio, glazed in small batches. " * 5
        + "</p></body></html>"
    )
    directory = write_corpus(
        tmp_path,
        [
            '{"file": "pages/scripted.html", "has_promotion": true, "promotion_type": "percentage_off"}',
            '{"file": "pages/plain.html", "has_promotion": false}',
        ],
        {"pages/scripted.html": SCRIPTED, "pages/plain.html": quiet},
    )
    settings = Settings()
    raw = evaluate_directory(directory, settings, ["structured", "rules"])
    assert raw["confusion"]["fn"] == 1 and "rendered" not in raw  # the raw HTML has an empty slot only

    rendered = evaluate_directory(directory, settings, ["structured", "rules"], render=True)
    assert rendered["confusion"] == {"tp": 1, "fp": 0, "fn": 0, "tn": 1}
    assert rendered["rendered"]["n"] == 1  # only the page that needed a browser was rendered
    assert rendered["rendered"]["recall"] == 1.0
