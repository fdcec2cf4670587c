"""Money: an exact Decimal amount with an ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from dealwatch.core.errors import InvalidInput

_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "JOD": 3}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money in one currency."""

    amount: Decimal
    currency: str = "USD"

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise InvalidInput("Money amount must be Decimal, int or str, never float")
        try:
            amount = Decimal(self.amount)
        except (InvalidOperation, TypeError, ValueError) as exc:
            raise InvalidInput(f"not a money amount: {self.amount!r}") from exc
        if not amount.is_finite():
            raise InvalidInput(f"not a finite money amount: {self.amount!r}")
        currency = str(self.currency).upper()
        if len(currency) != 3 or not currency.isalpha():
            raise InvalidInput(f"not an ISO 4217 currency code: {self.currency!r}")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "currency", currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "USD") -> Money:
        """Build from a str, int or Decimal amount."""
        return cls(Decimal(str(amount)), currency)

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise InvalidInput(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by Decimal or int, never float")
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def rounded(self) -> Money:
        """Round half-even to the currency's minor unit (cents for most)."""
        places = _MINOR_UNITS.get(self.currency, 2)
        return Money(
            self.amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN), self.currency
        )

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"
