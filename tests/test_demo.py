"""The demo end to end on a short simulated window: it runs, and its numbers agree with the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from dealwatch.demo import print_report, run_demo, run_flip_demo
from dealwatch.demo_flip import is_profitable
from dealwatch.flip.fees import default_fee_tables
from dealwatch.flip.models import Listing, Opportunity
from dealwatch.flip.opportunities import FlipRules
from dealwatch.sandbox.market import SandboxMarket

TODAY = date(2025, 12, 31)


def test_demo_runs_and_reports(tmp_path: Path) -> None:
    report = run_demo(
        stores=8, days=40, start=date(2025, 11, 1), seed=3, data_dir=tmp_path / "demo", listings=8
    )
    assert report.store_days == 8 * 40
    assert report.unknown_days == 0
    assert report.true_sale_days > 0
    assert report.agreement >= 0.9 and report.precision >= 0.9
    assert report.forecasts_scored > 0 and report.forecast_mae is not None
    assert (tmp_path / "demo" / "dealwatch.db").exists()
    # the flip job ran on the same sandbox, into the same database
    assert report.flip is not None
    assert report.flip.listings_scanned == report.flip.listings_shown >= 4 * 8
    console = Console(record=True, width=120)
    print_report(report, console)
    text = console.export_text()
    assert "detection agreement with truth" in text and "dealwatch --data-dir" in text
    assert "flip job over the sandbox marketplaces" in text and "scams routed to buy" in text


def test_the_flip_job_finds_profitable_items_and_buys_no_scam(tmp_path: Path) -> None:
    # Looser routing than the defaults (an operator's choice), so a small world exercises the buy route.
    report = run_flip_demo(
        listings=30,
        seed=3,
        today=TODAY,
        data_dir=tmp_path / "flip",
        flip_settings={"buy_at": 6.5, "review_at": 5.0},
    )
    assert report.listings_scanned == report.listings_shown  # every listing of every marketplace stored
    assert report.valued >= 0.7 * report.listings_scanned
    assert report.valuation_mdape is not None and report.valuation_mdape < 0.15
    assert report.profitable_items > 0 and report.found_items > 0
    assert report.recall is not None and report.recall >= 0.5
    assert report.routed_buy > 0 and report.buy_precision is not None and report.buy_precision >= 0.5
    assert report.scams > 0 and report.scams_bought == 0
    # cross-posts share their photos, so the pipeline links them; different items stay apart
    assert report.crossposts > 0 and report.crossposts_linked >= report.crossposts // 2
    assert report.wrong_links <= 1
    engine = create_engine(f"sqlite:///{tmp_path / 'flip' / 'dealwatch.db'}")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Listing)) == report.listings_scanned
        counted = session.execute(select(Opportunity.route, func.count()).group_by(Opportunity.route))
        routes = {route: count for route, count in counted}
    engine.dispose()
    assert routes.get("buy", 0) == report.routed_buy and routes.get("review", 0) == report.routed_review


def test_truly_profitable_means_the_target_profit_after_fees_and_is_never_a_scam() -> None:
    market = SandboxMarket.generate(seed=3, today=TODAY, listings=40)
    rules, fees = FlipRules(), default_fee_tables()
    profitable = [item for item in market.listings if is_profitable(item, rules, fees)]
    assert profitable
    assert {item.kind for item in profitable} <= {"underpriced", "fair"}
    assert not any(is_profitable(item, rules, fees) for item in market.listings if item.kind == "overpriced")
    # a steep rule (a higher target) makes fewer listings profitable
    steep = FlipRules(target_profit=rules.target_profit * 4)
    assert len([item for item in profitable if is_profitable(item, steep, fees)]) < len(profitable)
