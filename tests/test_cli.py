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
