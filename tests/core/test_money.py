from decimal import Decimal

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.core.money import Money


def test_money_is_exact_decimal() -> None:
    total = Money.of("0.10") + Money.of("0.20")
    assert total == Money.of("0.30")
    assert total.amount == Decimal("0.30")


def test_money_refuses_float_and_bad_currency() -> None:
    with pytest.raises(InvalidInput):
        Money(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Money.of("1", "dollars")
    with pytest.raises(InvalidInput):
        Money.of("1", "USD") + Money.of("1", "EUR")
    with pytest.raises(TypeError):
        Money.of("1") * 1.5  # type: ignore[operator]


def test_money_rounds_to_the_currency_minor_unit() -> None:
    assert Money.of("2.675").rounded().amount == Decimal("2.68")
    assert Money.of("2.665").rounded().amount == Decimal("2.66")  # half-even
    assert Money.of("1234.5", "JPY").rounded().amount == Decimal("1234")
    assert str(Money.of("9.5", "eur")) == "9.50 EUR"
