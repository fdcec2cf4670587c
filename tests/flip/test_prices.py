"""Reading displayed prices: currencies, and the cases a valuation must not take at face value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealwatch.core.money import Money
from dealwatch.flip.prices import money_or_none, read_price


@pytest.mark.parametrize(
    ("text", "default", "price", "note"),
    [
        ("$1,200", "USD", Money(Decimal("1200"), "USD"), None),
        ("$0", "USD", Money(Decimal("0"), "USD"), "zero"),
        ("Free", "USD", Money(Decimal("0"), "USD"), "free"),
        ("Contact for price", "USD", None, "contact"),
        ("", "USD", None, "no price"),
        (None, "USD", None, "no price"),
        ("$150 / Month", "USD", Money(Decimal("150"), "USD"), "per month"),
        ("¥ 12,800", "USD", Money(Decimal("12800"), "JPY"), None),
        ("1,928 円", "USD", Money(Decimal("1928"), "JPY"), None),
        ("EUR 3,500.00", "USD", Money(Decimal("3500.00"), "EUR"), None),
        ("€6,695", "USD", Money(Decimal("6695"), "EUR"), None),
        ("US $3,971.45", "CAD", Money(Decimal("3971.45"), "USD"), None),
        ("C $20.00", "USD", Money(Decimal("20.00"), "CAD"), None),
        ("$20.00", "CAD", Money(Decimal("20.00"), "CAD"), None),
        ("EUR 150.00 (approx US $170.21)", "USD", Money(Decimal("150.00"), "EUR"), None),
    ],
)
def test_read_price(text: str | None, default: str, price: Money | None, note: str | None) -> None:
    reading = read_price(text, default)
    assert (reading.price, reading.note) == (price, note)
    assert reading.currency == (price.currency if price else default)


def test_a_range_keeps_its_top() -> None:
    reading = read_price("3,858 円 ～ 13,507 円")
    assert (reading.price, reading.note, reading.high) == (
        Money(Decimal("3858"), "JPY"),
        "range",
        Money(Decimal("13507"), "JPY"),
    )
    assert read_price("$8.49 to $8.89").high == Money(Decimal("8.89"), "USD")


def test_money_from_json_amounts() -> None:
    assert money_or_none("18599.00", "USD") == Money(Decimal("18599.00"), "USD")
    assert money_or_none(24000, "USD") == Money(Decimal("24000"), "USD")
    assert money_or_none(None, "USD") is None
    assert money_or_none("n/a", "USD") is None
