"""Asking prices as marketplaces print them ("$1,200", "EUR 3,500.00", "3,858 円 ～ 13,507 円",
"$150 / Month", "Free", "$0", "Contact for price") read into Money plus a note saying how to read it.

price-parser finds the number and the symbol; this module decides the currency (a bare "$" is the
marketplace's own currency, "US $" and "C $" are not) and names the cases a valuation must not take
at face value: free, a $0 placeholder, no price, price on request, a rent per period, a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from price_parser import Price

from dealwatch.core.money import Money

_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "円": "JPY",
    "₹": "INR",
    "Rs": "INR",
    "R$": "BRL",
    "₩": "KRW",
    "zł": "PLN",
    "kr": "SEK",
    "₱": "PHP",
    "฿": "THB",
}
# Qualified dollars: "US $12", "C $12", "AU $12", "NZ $12", "HK $12", "S $12", "CA$12", "A$12".
_DOLLAR_PREFIX = re.compile(r"\b(US|USD|C|CA|CAD|AU|A|AUD|NZ|NZD|HK|HKD|S|SG|SGD)\s?\$", re.IGNORECASE)
_DOLLARS = {
    "US": "USD",
    "USD": "USD",
    "C": "CAD",
    "CA": "CAD",
    "CAD": "CAD",
    "AU": "AUD",
    "A": "AUD",
    "AUD": "AUD",
    "NZ": "NZD",
    "NZD": "NZD",
    "HK": "HKD",
    "HKD": "HKD",
    "S": "SGD",
    "SG": "SGD",
    "SGD": "SGD",
}
_FREE = re.compile(r"^\s*(?:free|gratis|gratuit|無料|0\s*円)\b", re.IGNORECASE)
_CONTACT = re.compile(
    r"contact|call\b|ask\b|on request|inquire|message for price|make (?:an )?offer|best offer only|"
    r"please see|see (?:desc|ad)|obo only|tbd|negotiable only",
    re.IGNORECASE,
)
_PERIOD = re.compile(r"(?:/|\bper\b|\ba\b)\s*(month|mo|week|wk|day|night|hour|hr|year|yr)\b", re.IGNORECASE)
_PERIOD_NAMES = {
    "mo": "month",
    "wk": "week",
    "hr": "hour",
    "yr": "year",
}
_RANGE = re.compile(r"\s*(?:～|~|–|—|\bto\b|\s-\s)\s*")


@dataclass(frozen=True, slots=True)
class PriceReading:
    """A price string read: the amount (None when there is none), its currency and how to read it."""

    price: Money | None
    currency: str
    note: str | None = None
    # The top of a range ("3,858 円 ～ 13,507 円"); `price` is its bottom.
    high: Money | None = None


def currency_of(text: str, symbol: str | None, default: str) -> str:
    """The ISO currency a price string is in; a bare "$" (or none) is the marketplace's `default`."""
    if not symbol or symbol == "$":
        # Only a qualifier before the first figure counts: "EUR 150 (approx US $170)" is in euros.
        first_digit = re.search(r"\d", text)
        prefixed = _DOLLAR_PREFIX.search(text, 0, first_digit.start() if first_digit else len(text))
        return _DOLLARS[prefixed.group(1).upper()] if prefixed else default
    if symbol in _SYMBOLS:
        return _SYMBOLS[symbol]
    code = symbol.strip(". ").upper()
    return code if len(code) == 3 and code.isalpha() else default


def read_price(text: str | None, default_currency: str = "USD") -> PriceReading:
    """Read one displayed price; never raises, an unreadable string is 'no price'."""
    if text is None or not text.strip():
        return PriceReading(None, default_currency, "no price")
    if _FREE.match(text):
        return PriceReading(Money(Decimal(0), default_currency), default_currency, "free")
    parsed = Price.fromstring(text)
    if parsed.amount is None:
        note = "contact" if _CONTACT.search(text) else "no price"
        return PriceReading(None, default_currency, note)
    currency = currency_of(text, parsed.currency, default_currency)
    price = Money(parsed.amount, currency)
    if parsed.amount == 0:
        return PriceReading(price, currency, "zero")
    period = _PERIOD.search(text)
    if period:
        unit = period.group(1).lower()
        return PriceReading(price, currency, f"per {_PERIOD_NAMES.get(unit, unit)}")
    bounds = _RANGE.split(text, maxsplit=1)
    if len(bounds) == 2:
        top = Price.fromstring(bounds[1]).amount
        if top is not None and top > parsed.amount:
            return PriceReading(price, currency, "range", Money(top, currency))
    return PriceReading(price, currency)


def money_or_none(amount: str | int | Decimal | None, currency: str) -> Money | None:
    """Money from a JSON amount ("18599.00", "24000", 24000); None when absent or not a number."""
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount).replace(",", ""))
    except ArithmeticError:
        return None
    return Money(value, currency) if value.is_finite() else None
