"""Inventory on both databases: a bought opportunity listed and sold, with fees from the dated tables, or
written off with its loss; bad steps raise InvalidInput and leave every row as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from dealwatch import testing
from dealwatch.cli import app
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.core.money import Money
from dealwatch.flip.fees import FeeTables, default_fee_tables
from dealwatch.flip.inventory import (
    Purchase,
    ResaleListing,
    Sale,
    WriteOff,
    get_item,
    item_events,
    list_items,
    record_listing,
    record_purchase,
    record_sale,
    record_write_off,
)
from dealwatch.flip.models import InventoryEvent, InventoryItem, Opportunity
from dealwatch.testing import add_listing

NOW = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
BOUGHT = datetime(2025, 11, 1, 15, 0, tzinfo=UTC)
LISTED = datetime(2025, 11, 2, 10, 0, tzinfo=UTC)
SOLD = datetime(2025, 11, 10, 20, 0, tzinfo=UTC)
TABLES: FeeTables = default_fee_tables()


def usd(amount: str) -> Money:
    return Money.of(amount)


def add_opportunity(
    session: Session,
    external_id: str,
    *,
    price: str = "80",
    estimate: str | None = "230",
    net_profit: str | None = "90",
    score: float = 8.4,
    route: str = "buy",
    marketplace: str = "craigslist",
    seen: datetime = BOUGHT,
) -> Opportunity:
    """A stored listing and its opportunity, as a scan leaves them."""
    title = f"Makita XFD131 drill kit {external_id}"
    listing = add_listing(session, external_id, seen=seen, title=title, marketplace=marketplace, price=price)
    return testing.add_opportunity(
        session,
        listing,
        route=route,
        buy_price=Decimal(price),
        estimate=Decimal(estimate) if estimate else None,
        net_profit=Decimal(net_profit) if net_profit else None,
        n_comps=8,
        confidence=0.8,
        score=score,
    )


def test_a_bought_opportunity_is_listed_then_sold_with_profit_from_the_ebay_table(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        opportunity = add_opportunity(session, "7801")
        item = record_purchase(
            session,
            Purchase(opportunity_id=opportunity.id, extra_costs=usd("10"), at=BOUGHT, by="sam"),
            NOW,
            TABLES,
        )
        # Cost and title default to the listing's; the opportunity's prediction is kept with the item.
        assert (item.cost, item.title, item.status) == (
            Decimal("80"),
            "Makita XFD131 drill kit 7801",
            "purchased",
        )
        assert (item.estimated_resale, item.estimated_profit, item.score) == (
            Decimal("230"),
            Decimal("90"),
            8.4,
        )
        assert opportunity.status == "confirmed" and opportunity.decided_by == "sam"
        opportunity.estimate = Decimal("400")  # a later re-assessment must not move the yardstick
        item_id, opportunity_id = item.id, opportunity.id

    with sessions.begin() as session:
        record_listing(
            session,
            item_id,
            ResaleListing("ebay", usd("249.99"), "https://ebay.com/itm/1", LISTED),
            NOW,
            TABLES,
        )
        sold = record_sale(
            session,
            item_id,
            Sale(usd("200"), shipping_charged=usd("15"), shipping_cost=usd("12"), at=SOLD),
            NOW,
            TABLES,
        )
        assert sold.status == "sold"

    with sessions() as session:
        item = get_item(session, item_id)
        # eBay from 2024-03-15: 13.25% of (item + shipping charged) = 28.4875 → 28.49, + $0.40 per order.
        assert item.fees == Decimal("28.89")
        assert item.marketplace == "ebay" and item.shipped is True
        assert "2024-03-15" in (item.fees_source or "")
        # 200 + 15 − 28.89 fees − 12 label − 80 cost − 10 extra
        assert item.realised_profit == Decimal("84.11")
        assert (item.days_to_sell, item.days_on_market) == (9, 8)
        assert item.valuation_error == pytest.approx(0.15)  # (230 − 200) / 200: the estimate ran high
        assert [e.kind for e in item_events(session, item_id)] == ["purchased", "listed", "sold"]
        opportunity = session.get(Opportunity, opportunity_id)
        assert opportunity is not None and opportunity.status == "sold"
        assert [i.id for i in list_items(session, "sold")] == [item_id]
        assert list_items(session, "listed") == []


def test_a_listed_item_written_off_realises_its_loss_and_its_opportunity_follows(
    sessions: sessionmaker[Session],
) -> None:
    written_off = datetime(2025, 11, 12, 18, 0, tzinfo=UTC)
    with sessions.begin() as session:
        opportunity = add_opportunity(session, "7802")
        item = record_purchase(
            session, Purchase(opportunity_id=opportunity.id, extra_costs=usd("10"), at=BOUGHT), NOW, TABLES
        )
        record_listing(session, item.id, ResaleListing("ebay", usd("249.99"), at=LISTED), NOW, TABLES)
        returned = WriteOff("returned to the seller: cracked housing", usd("20"), written_off, "sam")
        record_write_off(session, item.id, returned, NOW)
        scrapped = record_purchase(
            session, Purchase(title="dead drill", cost=usd("15"), at=BOUGHT), NOW, TABLES
        )
        record_write_off(session, scrapped.id, WriteOff("  motor burnt out "), NOW)
        item_id, opportunity_id, scrapped_id = item.id, opportunity.id, scrapped.id

    with sessions() as session:
        item = get_item(session, item_id)
        assert (item.status, item.written_off_at) == ("written_off", written_off)
        assert item.realised_profit == Decimal("-70")  # 20 recovered − 80 cost − 10 extra
        # Nothing was sold: no sale price, fees, days to sell or valuation error to measure.
        assert (item.sale_price, item.fees, item.sold_at) == (None, None, None)
        assert (item.days_to_sell, item.valuation_error) == (None, None)
        events = item_events(session, item_id)
        assert [e.kind for e in events] == ["purchased", "listed", "written_off"]
        assert events[-1].at == written_off
        assert events[-1].details == {
            "reason": "returned to the seller: cracked housing",
            "recovered": "20",
            "realised_profit": "-70.00",
            "by": "sam",
        }
        opportunity = session.get(Opportunity, opportunity_id)
        assert opportunity is not None and opportunity.status == "written_off"
        # Nothing recovered by default, and the write-off happens now unless a time is given.
        scrapped = get_item(session, scrapped_id)
        assert (scrapped.realised_profit, scrapped.written_off_at) == (Decimal("-15"), NOW)
        assert item_events(session, scrapped_id)[-1].details["reason"] == "motor burnt out"
        assert [i.id for i in list_items(session, "written_off")] == [scrapped_id, item_id]
        assert list_items(session, "listed") == []


def test_fees_come_from_the_table_in_force_on_the_sale_day_unless_given(
    sessions: sessionmaker[Session],
) -> None:
    early = datetime(2024, 1, 2, tzinfo=UTC)
    with sessions.begin() as session:
        old, given, pickup, facebook = (
            record_purchase(session, Purchase(title=f"drill {n}", cost=usd("80"), at=early), NOW, TABLES).id
            for n in range(4)
        )
        sale = Sale(usd("200"), shipping_charged=usd("15"), shipping_cost=usd("12"), marketplace="ebay")
        # Before 2024-03-15 eBay's per-order fee was $0.30.
        record_sale(
            session, old, Sale(**{**_fields(sale), "at": datetime(2024, 1, 10, tzinfo=UTC)}), NOW, TABLES
        )
        record_sale(session, given, Sale(**{**_fields(sale), "fees": usd("20")}), NOW, TABLES)
        record_sale(session, pickup, Sale(usd("150"), marketplace="local"), NOW, TABLES)
        record_sale(
            session, facebook, Sale(usd("200"), marketplace="facebook", shipping_cost=usd("10")), NOW, TABLES
        )

    with sessions() as session:
        rows = {i: get_item(session, i) for i in (old, given, pickup, facebook)}
        assert (rows[old].fees, rows[old].realised_profit) == (Decimal("28.79"), Decimal("94.21"))
        assert (rows[given].fees, rows[given].fees_source) == (Decimal("20"), "given")
        assert rows[given].realised_profit == Decimal("103")
        assert (rows[pickup].fees, rows[pickup].shipped, rows[pickup].realised_profit) == (0, False, 70)
        assert rows[facebook].fees == Decimal("20")  # 10% of a shipped sale since 2024-04-15
        assert rows[facebook].realised_profit == Decimal("90")
        assert rows[old].valuation_error is None  # bought without an estimate: nothing to measure
        assert rows[old].days_on_market is None  # sold without being listed


def _fields(sale: Sale) -> dict[str, Any]:
    return {name: getattr(sale, name) for name in Sale.__slots__}


def _snapshot(session: Session) -> list[tuple[Any, ...]]:
    """Every inventory, event and opportunity value, to show a refused step changed nothing."""
    items = [
        tuple(getattr(i, c.key) for c in InventoryItem.__table__.columns)
        for i in session.scalars(select(InventoryItem).order_by(InventoryItem.id))
    ]
    statuses = list(session.execute(select(Opportunity.id, Opportunity.status).order_by(Opportunity.id)))
    events = session.scalar(select(func.count()).select_from(InventoryEvent))
    return [*items, *statuses, (events,)]


Step = Callable[[Session, dict[str, int]], object]
BAD_STEPS: dict[str, tuple[Step, str]] = {
    "sell before buying": (
        lambda s, ids: record_sale(
            s, ids["bought"], Sale(usd("200"), marketplace="ebay", at=BOUGHT - timedelta(days=1)), NOW, TABLES
        ),
        "before it was bought",
    ),
    "sell before listing": (
        lambda s, ids: record_sale(
            s, ids["listed"], Sale(usd("200"), at=LISTED - timedelta(hours=1)), NOW, TABLES
        ),
        "before it was listed",
    ),
    "sell twice": (
        lambda s, ids: record_sale(s, ids["sold"], Sale(usd("210"), marketplace="ebay"), NOW, TABLES),
        "already sold",
    ),
    "list a sold item": (
        lambda s, ids: record_listing(s, ids["sold"], ResaleListing("ebay", usd("250")), NOW, TABLES),
        "already sold",
    ),
    "sell with no marketplace": (
        lambda s, ids: record_sale(s, ids["bought"], Sale(usd("200")), NOW, TABLES),
        "which marketplace",
    ),
    "unknown marketplace": (
        lambda s, ids: record_listing(s, ids["bought"], ResaleListing("craigslist", usd("250")), NOW, TABLES),
        "unknown marketplace 'craigslist'",
    ),
    "unknown marketplace on sale": (
        lambda s, ids: record_sale(
            s, ids["listed"], Sale(usd("200"), marketplace="etsy", fees=usd("5")), NOW, TABLES
        ),
        "unknown marketplace 'etsy'",
    ),
    "negative cost": (
        lambda s, ids: record_purchase(s, Purchase(title="drill", cost=usd("-5")), NOW, TABLES),
        "cost must not be negative",
    ),
    "negative sale price": (
        lambda s, ids: record_sale(s, ids["listed"], Sale(usd("-1")), NOW, TABLES),
        "price must not be negative",
    ),
    "negative fees": (
        lambda s, ids: record_sale(s, ids["listed"], Sale(usd("200"), fees=usd("-3")), NOW, TABLES),
        "fees must not be negative",
    ),
    "zero ask": (
        lambda s, ids: record_listing(s, ids["bought"], ResaleListing("ebay", usd("0")), NOW, TABLES),
        "ask must be above zero",
    ),
    "sale in another currency": (
        lambda s, ids: record_sale(s, ids["listed"], Sale(Money.of("200", "EUR")), NOW, TABLES),
        "price is in EUR",
    ),
    "pickup with a label": (
        lambda s, ids: record_sale(
            s, ids["listed"], Sale(usd("200"), shipped=False, shipping_cost=usd("9")), NOW, TABLES
        ),
        "local pickup",
    ),
    "shipped on a pickup-only marketplace": (
        lambda s, ids: record_sale(
            s, ids["listed"], Sale(usd("200"), marketplace="local", shipped=True), NOW, TABLES
        ),
        "does not sell shipped",
    ),
    "sale in the future": (
        lambda s, ids: record_sale(
            s, ids["listed"], Sale(usd("200"), at=NOW + timedelta(days=1)), NOW, TABLES
        ),
        "in the future",
    ),
    "write off a sold item": (
        lambda s, ids: record_write_off(s, ids["sold"], WriteOff("lost in the move"), NOW),
        r"inventory item \d+ is already sold",
    ),
    "write off twice": (
        lambda s, ids: record_write_off(s, ids["written_off"], WriteOff("lost again"), NOW),
        r"inventory item \d+ is already written off",
    ),
    "sell a written-off item": (
        lambda s, ids: record_sale(s, ids["written_off"], Sale(usd("20"), marketplace="local"), NOW, TABLES),
        "already written off",
    ),
    "list a written-off item": (
        lambda s, ids: record_listing(s, ids["written_off"], ResaleListing("ebay", usd("25")), NOW, TABLES),
        "already written off",
    ),
    "write off before buying": (
        lambda s, ids: record_write_off(
            s, ids["bought"], WriteOff("broken", at=BOUGHT - timedelta(minutes=1)), NOW
        ),
        "written off 2025-11-01 14:59 UTC, before it was bought",
    ),
    "write off before listing": (
        lambda s, ids: record_write_off(
            s, ids["listed"], WriteOff("broken", at=LISTED - timedelta(hours=1)), NOW
        ),
        "before it was listed",
    ),
    "write off in the future": (
        lambda s, ids: record_write_off(
            s, ids["listed"], WriteOff("broken", at=NOW + timedelta(hours=1)), NOW
        ),
        "write-off time .* is in the future",
    ),
    "negative recovered": (
        lambda s, ids: record_write_off(s, ids["listed"], WriteOff("scrapped", usd("-5")), NOW),
        "recovered must not be negative",
    ),
    "recovered in another currency": (
        lambda s, ids: record_write_off(s, ids["listed"], WriteOff("refund", Money.of("20", "EUR")), NOW),
        "recovered is in EUR, but the item is in USD",
    ),
    "write off without a reason": (
        lambda s, ids: record_write_off(s, ids["listed"], WriteOff("   "), NOW),
        "needs a reason",
    ),
    "write-off reason too long": (
        lambda s, ids: record_write_off(s, ids["listed"], WriteOff("x" * 501), NOW),
        "reason is 501 characters long; at most 500",
    ),
    "buy the same opportunity twice": (
        lambda s, ids: record_purchase(s, Purchase(opportunity_id=ids["opportunity"]), NOW, TABLES),
        "already in the inventory",
    ),
    "no title": (
        lambda s, ids: record_purchase(s, Purchase(cost=usd("20")), NOW, TABLES),
        "needs a title",
    ),
    "unknown fee category": (
        lambda s, ids: record_purchase(
            s, Purchase(title="ring", cost=usd("20"), category="rings"), NOW, TABLES
        ),
        "unknown fee category 'rings'",
    ),
}


@pytest.mark.parametrize("step", list(BAD_STEPS))
def test_a_refused_step_raises_invalid_input_and_changes_nothing(
    sessions: sessionmaker[Session], step: str
) -> None:
    with sessions.begin() as session:
        opportunity = add_opportunity(session, "1")
        ids = {"opportunity": opportunity.id}
        ids["bought"] = record_purchase(
            session, Purchase(opportunity_id=opportunity.id, at=BOUGHT), NOW, TABLES
        ).id
        listed = record_purchase(session, Purchase(title="drill", cost=usd("50"), at=BOUGHT), NOW, TABLES)
        record_listing(session, listed.id, ResaleListing("ebay", usd("199"), at=LISTED), NOW, TABLES)
        sold = record_purchase(session, Purchase(title="saw", cost=usd("30"), at=BOUGHT), NOW, TABLES)
        record_sale(session, sold.id, Sale(usd("90"), marketplace="local", at=SOLD), NOW, TABLES)
        lost = record_purchase(session, Purchase(title="sander", cost=usd("25"), at=BOUGHT), NOW, TABLES)
        record_write_off(session, lost.id, WriteOff("lost", at=SOLD), NOW)
        ids["listed"], ids["sold"], ids["written_off"] = listed.id, sold.id, lost.id
    with sessions() as session:
        before = _snapshot(session)
    run, message = BAD_STEPS[step]
    with sessions() as session:
        with pytest.raises(InvalidInput, match=message):
            run(session, ids)
        session.commit()  # even a caller that commits after the error writes nothing
    with sessions() as session:
        assert _snapshot(session) == before


def test_a_purchase_by_listing_finds_its_opportunity_and_unknown_ids_are_not_found(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        opportunity = add_opportunity(session, "55", price="120")
        item = record_purchase(
            session, Purchase(listing_id=opportunity.listing_id, cost=usd("110")), NOW, TABLES
        )
        assert item.opportunity_id == opportunity.id and item.cost == Decimal("110")
        assert item.purchased_at == NOW  # the clock's time when none is given
        with pytest.raises(NotFound):
            record_purchase(session, Purchase(opportunity_id=9999), NOW, TABLES)
        with pytest.raises(NotFound):
            record_sale(session, 9999, Sale(usd("1"), marketplace="local"), NOW, TABLES)
        with pytest.raises(InvalidInput, match="status must be one of"):
            list_items(session, "lost")


def test_relisting_changes_the_ask_and_keeps_both_steps(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        item = record_purchase(session, Purchase(title="drill", cost=usd("50"), at=BOUGHT), NOW, TABLES)
        record_listing(session, item.id, ResaleListing("ebay", usd("199"), at=LISTED), NOW, TABLES)
        later = LISTED + timedelta(days=5)
        record_listing(session, item.id, ResaleListing("facebook", usd("179"), at=later), NOW, TABLES)
        assert (item.marketplace, item.ask_price, item.listed_at) == ("facebook", Decimal("179"), later)
        listings = [e for e in item_events(session, item.id) if e.kind == "listed"]
        assert [(e.details["marketplace"], e.details["ask"]) for e in listings] == [
            ("ebay", "199"),
            ("facebook", "179"),
        ]


def test_cli_records_a_purchase_listing_and_sale(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    bought = runner.invoke(
        app, [*data, "inventory", "buy", "--title", "Makita drill", "--cost", "80", "--extra", "10"]
    )
    assert bought.exit_code == 0, bought.output
    assert "item 1" in bought.output
    listed = runner.invoke(app, [*data, "inventory", "listed", "1", "ebay", "249.99"])
    assert listed.exit_code == 0, listed.output
    sold = runner.invoke(
        app, [*data, "inventory", "sold", "1", "200", "--shipping-charged", "15", "--shipping-cost", "12"]
    )
    assert sold.exit_code == 0, sold.output
    assert "84.11" in sold.output  # fees from today's eBay table: 28.89
    shown = runner.invoke(app, [*data, "inventory", "list", "--status", "sold"])
    assert shown.exit_code == 0 and "Makita" in shown.output and "84.11" in shown.output
    refused = runner.invoke(app, [*data, "inventory", "sold", "1", "210"])
    assert isinstance(refused.exception, InvalidInput) and "already sold" in str(refused.exception)
    bad = runner.invoke(app, [*data, "inventory", "buy", "--title", "x", "--cost", "1.2.3"])
    assert bad.exit_code == 2 and "not an amount" in bad.output
    report = runner.invoke(app, [*data, "analytics"])
    assert report.exit_code == 0, report.output
    assert "84.11" in report.output


def test_cli_writes_off_an_item(tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "inventory", *args])

    bought = run("buy", "--title", "Makita drill", "--cost", "80", "--extra", "10", "--date", "2025-11-01")
    assert bought.exit_code == 0, bought.output
    listed = run("listed", "1", "ebay", "249.99", "--date", "2025-11-02")
    assert listed.exit_code == 0, listed.output
    unexplained = run("write-off", "1")
    assert unexplained.exit_code == 2 and "--reason" in unexplained.output
    written_off = run(
        "write-off", "1", "--reason", "cracked housing", "--recovered", "20", "--at", "2025-11-12T18:00"
    )
    assert written_off.exit_code == 0, written_off.output
    assert "[written_off]" in written_off.output and "written off 2025-11-12" in written_off.output
    assert "realised profit -70.00 USD" in written_off.output  # 20 recovered − 80 − 10
    shown = run("list", "--status", "written_off")
    assert shown.exit_code == 0 and "Makita" in shown.output and "-70.00" in shown.output
    again = run("write-off", "1", "--reason", "lost")
    assert isinstance(again.exception, InvalidInput) and "already written off" in str(again.exception)
    report = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "analytics"])
    assert report.exit_code == 0, report.output
    assert "2025-11" in report.output and "-70.00" in report.output
