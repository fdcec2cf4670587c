"""The CLI end to end on a temp data dir: init, store add/import/list, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dealwatch.cli import app
from dealwatch.core.errors import ConfigError, InvalidInput

runner = CliRunner()


def test_init_add_import_list(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["--data-dir", str(data), "init"])
    assert result.exit_code == 0, result.output
    assert (data / "dealwatch.db").exists()

    result = runner.invoke(
        app,
        [
            "--data-dir",
            str(data),
            "store",
            "add",
            "https://www.example.com",
            "--name",
            "Example",
            "--selector",
            "banner=.promo",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "added example" in result.output

    stores = tmp_path / "stores.toml"
    stores.write_text('[[stores]]\nname = "Second Shop"\nurl = "https://second.example/"\n')
    result = runner.invoke(app, ["--data-dir", str(data), "store", "import", str(stores)])
    assert result.exit_code == 0 and "1 created, 0 updated" in " ".join(result.output.split())

    listing = runner.invoke(app, ["--data-dir", str(data), "store", "list"]).output
    assert "example" in listing and "second_shop" in listing


def test_bad_input_raises_clear_errors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["--data-dir", str(data), "store", "add", "ftp://x", "--name", "X"])
    assert isinstance(result.exception, InvalidInput) and "http" in str(result.exception)
    bad = tmp_path / "stores.toml"
    bad.write_text('[[stores]]\nname = "A"\n')
    result = runner.invoke(app, ["--data-dir", str(data), "store", "import", str(bad)])
    assert isinstance(result.exception, ConfigError) and "stores[0]: url" in str(result.exception)
    result = runner.invoke(app, ["--data-dir", str(data), "run", "--date", "tomorrow"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


@pytest.mark.parametrize("args", [["store", "add", "gopher://x", "--name", "X"]])
def test_errors_exit_2_with_one_line_and_no_traceback(tmp_path: Path, args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dealwatch", "--data-dir", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "error:" in proc.stderr and "Traceback" not in proc.stderr


def test_eval_forecast_prints_every_model_side_by_side(tmp_path: Path) -> None:
    lines = ["series_id,date,promo"]
    start = date(2024, 1, 1)
    for day in range(540):  # a sale every 28 days, lasting 3 days
        lines.append(f"shop,{start + timedelta(days=day)},{int(day % 28 < 3)}")
    csv_file = tmp_path / "calendar.csv"
    csv_file.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["eval", "forecast", str(csv_file), "--models", "interval,dealwatch"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["models"]) == {"interval", "dealwatch"}
    assert report["models"]["dealwatch"]["mae"] <= 1.0  # a regular cadence is predicted to the day


def _queue_one_review(data: Path) -> None:
    from dealwatch.core.clock import FrozenClock
    from dealwatch.db import open_database
    from dealwatch.promo.detect.base import Detection
    from dealwatch.promo.history import record_day
    from dealwatch.promo.review import queue_review
    from dealwatch.promo.stores import add_store, parse_spec
    from dealwatch.settings import Settings
    from dealwatch.snapshots.store import BlobStore, save_snapshot

    settings = Settings(data_dir=data)
    clock = FrozenClock.on(date(2025, 11, 28))
    engine, sessions = open_database(settings.resolved_database_url)
    unsure = Detection(True, 0.6, "ml", "seasonal_sale", "Mellandagsrea nu", None, ("banner:div.x",))
    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://butik.example/", "name": "Butik"}), clock)
        snapshot = save_snapshot(
            session,
            BlobStore(settings.resolved_blob_url),
            content=b"<html><body><div class='x'>Mellandagsrea nu</div></body></html>",
            source="butik",
            url="https://butik.example/",
            tier="http",
            content_type="text/html",
            fetched_at=clock.now(),
        )
        day = date(2025, 11, 28)
        record_day(session, store_id="butik", day=day, fetch_outcome="ok", clock=clock, detection=unsure)
        queue_review(
            session,
            store_id="butik",
            day=day,
            url="https://butik.example/",
            detection=unsure,
            snapshot_id=snapshot.id,
            clock=clock,
        )
    engine.dispose()


def test_review_list_interactive_decide_and_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _queue_one_review(data)
    listing = runner.invoke(app, ["--data-dir", str(data), "review", "list"])
    assert listing.exit_code == 0 and "butik" in listing.output and "pending" in listing.output
    skipped = runner.invoke(app, ["--data-dir", str(data), "review"], input="s\n")
    assert "decided 0 of 1" in skipped.output and "Mellandagsrea nu" in skipped.output
    answered = runner.invoke(app, ["--data-dir", str(data), "review"], input="y\nMellandagsrea nu\n")
    assert answered.exit_code == 0 and "decided 1 of 1" in answered.output, answered.output
    assert "no pending reviews" in runner.invoke(app, ["--data-dir", str(data), "review"]).output
    corrected = runner.invoke(app, ["--data-dir", str(data), "review", "decide", "1", "--no-sale"])
    assert corrected.exit_code == 0 and "review 1: corrected" in corrected.output
    bad = runner.invoke(app, ["--data-dir", str(data), "review", "decide", "1", "--sale", "--type", "mega"])
    assert bad.exit_code != 0 and "promotion_type" in str(bad.exception)
    out = tmp_path / "reviewed"
    exported = runner.invoke(app, ["--data-dir", str(data), "review", "export", str(out)])
    assert "wrote 1 labelled pages" in exported.output
    record = json.loads((out / "labels.jsonl").read_text())
    assert record["has_promotion"] is False and (out / record["file"]).is_file()


def test_corpus_and_train_detect_commands(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    built = runner.invoke(app, ["corpus", "detect", str(corpus), "--pages", "300", "--seed", "5"])
    assert built.exit_code == 0, built.output
    assert (corpus / "train" / "labels.jsonl").is_file() and (corpus / "test" / "labels.jsonl").is_file()
    model = tmp_path / "model.json"
    trained = runner.invoke(
        app, ["train", "detect", str(corpus / "train"), "--test", str(corpus / "test"), "--out", str(model)]
    )
    assert trained.exit_code == 0, trained.output
    info = json.loads(trained.stdout.splitlines()[0])
    assert info["metrics"]["test"]["n"] > 0 and model.with_suffix(".npz").is_file()
    scored = runner.invoke(app, ["eval", "detect", str(corpus / "test"), "--tiers", "structured,rules"])
    metrics = json.loads(scored.stdout)
    assert {"ece", "llm_calls_per_1k", "llm_cost_per_1k_usd", "review_share"} <= set(metrics)
