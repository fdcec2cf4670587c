"""Dated fee tables: the schedule in force on a day, categories, bands, minimums, pickup, bad tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dealwatch.core.errors import ConfigError, InvalidInput
from dealwatch.core.money import Money
from dealwatch.flip.fees import BUILT_IN_TABLES, default_fee_tables, fee_for, load_fee_tables, read_fee_table

USD = Money.of
TODAY = date(2025, 6, 1)

MINIMAL_TABLE = """
platform = "ebay"
currency = "USD"

[[schedule]]
effective_from = 2020-01-01
source = "operator's own numbers"
ships = true
local_pickup = "free"

[schedule.fees]
base = ["item"]

[[schedule.fees.categories]]
name = "default"
tiers = [{ rate = 0.10 }]
"""


def test_ebay_per_order_fee_change_matches_ebays_worked_example() -> None:
    # eBay's 2024 winter update: a $25 sale (shipping and tax included) pays $3.71 instead of $3.61.
    before = fee_for("ebay", "trading_cards", USD("25"), True, date(2024, 3, 14))
    after = fee_for("ebay", "trading_cards", USD("25"), True, date(2024, 3, 15))
    assert (before.total, after.total) == (USD("3.61"), USD("3.71"))
    assert (before.per_order, after.per_order) == (USD("0.30"), USD("0.40"))
    assert after.effective_from == date(2024, 3, 15)
    # Orders of $10 and under keep the $0.30 fee.
    assert fee_for("ebay", None, USD("10"), True, TODAY).per_order == USD("0.30")


def test_ebay_most_categories_rate_before_and_after_february_2023() -> None:
    before = fee_for("ebay", None, USD("100"), True, date(2023, 2, 14))
    after = fee_for("ebay", None, USD("100"), True, date(2023, 2, 15))
    assert before.selling == USD("12.90")
    assert after.selling == USD("13.25")
    assert before.total == USD("13.20")
    assert after.category == "default"


def test_category_bands_are_marginal() -> None:
    watch = fee_for("ebay", "watches", USD("8000"), True, TODAY)
    # 15% of the first $1,000, 6.5% up to $7,500, 3% above.
    assert watch.selling == USD("587.50")
    jewelry = fee_for("ebay", "jewelry", USD("6000"), True, TODAY)
    assert jewelry.selling == USD("840.00")
    # Above $7,500 most categories pay 2.35% on the excess.
    assert fee_for("ebay", None, USD("10000"), True, TODAY).selling == USD("1052.50")


def test_a_category_rule_can_start_at_a_price_and_drop_the_per_order_fee() -> None:
    sneakers = fee_for("ebay", "athletic_shoes", USD("200"), True, TODAY)
    assert (sneakers.category, sneakers.selling, sneakers.per_order) == (
        "athletic_shoes",
        USD("16.00"),
        USD("0"),
    )
    cheap = fee_for("ebay", "athletic_shoes", USD("100"), True, TODAY)
    assert (cheap.category, cheap.total) == ("default", USD("13.65"))


def test_a_category_without_a_rule_pays_the_default_and_says_so() -> None:
    fees = fee_for("ebay", "garden_gnomes", USD("100"), True, TODAY)
    assert fees.category == "default"
    assert fees.total == fee_for("ebay", None, USD("100"), True, TODAY).total


def test_shipping_charged_and_sales_tax_enter_the_base_where_the_platform_says() -> None:
    fees = fee_for(
        "ebay", None, USD("100"), True, TODAY, shipping_charged=USD("10"), sales_tax_rate=Decimal("0.08")
    )
    assert fees.base == USD("118.80")
    assert fees.selling == USD("15.74")
    # OfferUp charges on the item price only.
    offerup = fee_for("offerup", None, USD("100"), True, TODAY, shipping_charged=USD("10"))
    assert offerup.base == USD("100.00")
    assert offerup.selling == USD("12.90")


def test_shipped_versus_local_pickup() -> None:
    shipped = fee_for("facebook", None, USD("100"), True, TODAY, shipping_charged=USD("10"))
    local = fee_for("facebook", None, USD("100"), False, TODAY)
    assert shipped.total == USD("11.00")
    assert local.total == USD("0")
    assert fee_for("offerup", None, USD("100"), False, TODAY).total == USD("0")
    assert fee_for("local", None, USD("100"), False, TODAY).total == USD("0")
    # eBay charges a local pickup paid through eBay the same fee, without shipping in the base.
    ebay_local = fee_for("ebay", None, USD("100"), False, TODAY, shipping_charged=USD("10"))
    assert ebay_local.total == USD("13.65")
    with pytest.raises(InvalidInput, match="no local pickup"):
        fee_for("mercari", None, USD("100"), False, TODAY)
    with pytest.raises(InvalidInput, match="does not sell shipped"):
        fee_for("local", None, USD("100"), True, TODAY)


def test_minimum_fees() -> None:
    assert fee_for("offerup", None, USD("10"), True, TODAY).total == USD("1.99")
    assert fee_for("facebook", None, USD("5"), True, TODAY).total == USD("0.80")
    assert fee_for("facebook", None, USD("5"), True, date(2024, 4, 14)).total == USD("0.40")


def test_mercari_history() -> None:
    sale, ship = USD("100"), USD("8")
    assert fee_for("mercari", None, sale, True, date(2022, 6, 1), shipping_charged=ship).total == USD("13.20")
    assert fee_for("mercari", None, sale, True, date(2022, 11, 1), shipping_charged=ship).total == USD(
        "13.40"
    )
    # From 2023-04-17 processing is charged on price plus shipping: 2.9% of $108 + $0.50.
    spring_2023 = fee_for("mercari", None, sale, True, date(2023, 4, 17), shipping_charged=ship)
    assert (spring_2023.selling, spring_2023.processing) == (USD("10.00"), USD("3.63"))
    assert fee_for("mercari", None, sale, True, date(2024, 6, 1), shipping_charged=ship).total == USD("0")
    assert fee_for("mercari", None, sale, True, date(2025, 1, 6), shipping_charged=ship).total == USD("10.80")


def test_lookups_outside_the_tables_are_refused() -> None:
    with pytest.raises(InvalidInput, match="table starts 2022-01-01"):
        fee_for("ebay", None, USD("100"), True, date(2019, 1, 1))
    with pytest.raises(ConfigError, match="known: ebay, facebook, local, mercari, offerup"):
        fee_for("poshmark", None, USD("100"), True, TODAY)
    with pytest.raises(InvalidInput, match="USD"):
        fee_for("ebay", None, Money.of("100", "EUR"), True, TODAY)


def test_built_in_tables_are_decimal_exact_dated_and_sourced() -> None:
    tables = default_fee_tables()
    assert sorted(p.stem for p in BUILT_IN_TABLES.glob("*.toml")) == tables.platforms()
    ebay = tables.table("ebay")
    rate = ebay.in_force(TODAY).fees
    assert rate is not None
    assert rate.categories[0].tiers[0].rate == Decimal("0.1325")
    for platform in tables.platforms():
        for schedule in tables.table(platform).schedule:
            assert schedule.source.strip()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ("tiers = [{ rate = 0.10 }]", "tiers = [{ rate = 1.5 }]"),
        ('name = "default"', 'name = "most"'),
        ('local_pickup = "free"', 'local_pickup = "sometimes"'),
        ("tiers = [{ rate = 0.10 }]", "tiers = [{ up_to = 50, rate = 0.1 }]"),
        ('base = ["item"]', 'base = ["shipping"]'),
    ],
)
def test_a_bad_table_names_the_file_and_the_key(tmp_path: Path, change: str, where: str) -> None:
    path = tmp_path / "ebay.toml"
    path.write_text(MINIMAL_TABLE.replace(change, where))
    with pytest.raises(ConfigError) as caught:
        read_fee_table(path)
    message = str(caught.value)
    assert str(path) in message
    assert "schedule.0." in message


def test_table_level_problems(tmp_path: Path) -> None:
    path = tmp_path / "ebay.toml"
    path.write_text(MINIMAL_TABLE + MINIMAL_TABLE.split('currency = "USD"', 1)[1])
    with pytest.raises(ConfigError, match=r"ebay.toml: schedule: .*strictly increase"):
        read_fee_table(path)
    path.write_text(MINIMAL_TABLE.replace("rate = 0.10", "rate = "))
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_fee_table(path)
    other = tmp_path / "mercari.toml"
    other.write_text(MINIMAL_TABLE)
    with pytest.raises(ConfigError, match="differs from the file name"):
        read_fee_table(other)


def test_an_operator_directory_overrides_a_built_in_table(tmp_path: Path) -> None:
    (tmp_path / "ebay.toml").write_text(MINIMAL_TABLE)
    tables = load_fee_tables(tmp_path)
    assert tables.fee_for("ebay", None, USD("100"), True, TODAY).total == USD("10.00")
    assert tables.fee_for("offerup", None, USD("100"), True, TODAY).total == USD("12.90")
    with pytest.raises(ConfigError, match="not found"):
        load_fee_tables(tmp_path / "missing")
