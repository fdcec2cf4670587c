"""The demo end to end on a short simulated window: it runs, and its numbers agree with the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console

from dealwatch.demo import print_report, run_demo


def test_demo_runs_and_reports(tmp_path: Path) -> None:
    report = run_demo(stores=8, days=40, start=date(2025, 11, 1), seed=3, data_dir=tmp_path / "demo")
    assert report.store_days == 8 * 40
    assert report.unknown_days == 0
    assert report.true_sale_days > 0
    assert report.agreement >= 0.9 and report.precision >= 0.9
    assert report.forecasts_scored > 0 and report.forecast_mae is not None
    assert (tmp_path / "demo" / "dealwatch.db").exists()
    console = Console(record=True, width=120)
    print_report(report, console)
    text = console.export_text()
    assert "detection agreement with truth" in text and "dealwatch --data-dir" in text
