"""Selling fees: dated, per-platform fee tables read from TOML files, and the fee a sale pays on a given day.

Each platform has one file (`fee_tables/<platform>.toml`, shipped in the package; an operator's directory
can override or add platforms) holding a list of `[[schedule]]` entries, each in force from its
`effective_from` date until the next one. A schedule says whether the platform ships and what a local
pickup pays, what the percentage is charged on (`base`: item, shipping charged, sales tax), the
per-category marginal rate bands with minimum/maximum, the per-order fixed fee (stepped by order
total) and any payment processing fee. A bad table raises ConfigError naming the file and the key.

Amounts are Decimal all the way: TOML numbers are parsed straight into Decimal, never through float.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dealwatch.core.errors import ConfigError, InvalidInput
from dealwatch.core.money import Money

BUILT_IN_TABLES = Path(__file__).with_name("fee_tables")
DEFAULT_CATEGORY = "default"

BasePart = Literal["item", "shipping", "sales_tax"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateBand(_Strict):
    """A marginal band: `rate` applies to the part of the fee base up to `up_to` (the last band is open)."""

    up_to: Decimal | None = Field(None, gt=0)
    rate: Decimal = Field(ge=0, le=1)


class FixedStep(_Strict):
    """A fixed fee for orders whose fee base is at most `up_to` (the last step is open)."""

    up_to: Decimal | None = Field(None, gt=0)
    fee: Decimal = Field(ge=0)


def _check_open_ended(bounds: list[Decimal | None], what: str) -> None:
    if not bounds:
        raise ValueError(f"at least one {what} is needed")
    if bounds[-1] is not None:
        raise ValueError(f"the last {what} must have no up_to (it covers everything above)")
    closed = bounds[:-1]
    if any(bound is None for bound in closed):
        raise ValueError(f"only the last {what} may omit up_to")
    if any(b is not None and a is not None and b <= a for a, b in pairwise(closed)):
        raise ValueError(f"{what} up_to bounds must increase")


class CategoryRate(_Strict):
    """One category's selling fee: marginal bands, a floor and a cap, and its own per-order fee if any."""

    name: str = Field(min_length=1)
    # This rule applies from this fee base up (eBay's athletic shoes: 8% from $150); below it, the
    # category falls back to its lower rule or to "default".
    min_total: Decimal = Field(Decimal(0), ge=0)
    tiers: list[RateBand]
    # None: the schedule's per-order fee; [] : no per-order fee for this category.
    per_order: list[FixedStep] | None = None
    minimum: Decimal = Field(Decimal(0), ge=0)
    maximum: Decimal | None = Field(None, gt=0)

    @field_validator("tiers")
    @classmethod
    def _bands(cls, tiers: list[RateBand]) -> list[RateBand]:
        _check_open_ended([t.up_to for t in tiers], "tier")
        return tiers

    @field_validator("per_order")
    @classmethod
    def _steps(cls, steps: list[FixedStep] | None) -> list[FixedStep] | None:
        if steps:
            _check_open_ended([s.up_to for s in steps], "per_order step")
        return steps

    @model_validator(mode="after")
    def _floor_below_cap(self) -> CategoryRate:
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError(f"maximum {self.maximum} is below minimum {self.minimum}")
        return self


class Processing(_Strict):
    """A payment processing fee: `rate` × its base + `fixed`."""

    rate: Decimal = Field(ge=0, le=1)
    fixed: Decimal = Field(Decimal(0), ge=0)
    base: list[BasePart] = Field(default_factory=lambda: list[BasePart](["item"]), min_length=1)


class FeeRule(_Strict):
    """What a sale pays under one schedule: base, categories, per-order fee, processing."""

    base: list[BasePart] = Field(min_length=1)
    per_order: list[FixedStep] = Field(default_factory=list)
    processing: Processing | None = None
    categories: list[CategoryRate] = Field(min_length=1)

    @field_validator("base")
    @classmethod
    def _item_in_base(cls, base: list[BasePart]) -> list[BasePart]:
        if "item" not in base:
            raise ValueError("the fee base must include 'item'")
        return base

    @field_validator("per_order")
    @classmethod
    def _steps(cls, steps: list[FixedStep]) -> list[FixedStep]:
        if steps:
            _check_open_ended([s.up_to for s in steps], "per_order step")
        return steps

    @field_validator("categories")
    @classmethod
    def _default_present(cls, categories: list[CategoryRate]) -> list[CategoryRate]:
        if not any(c.name == DEFAULT_CATEGORY and c.min_total == 0 for c in categories):
            raise ValueError(f"a '{DEFAULT_CATEGORY}' category with min_total 0 is needed")
        seen: set[tuple[str, Decimal]] = set()
        for category in categories:
            key = (category.name, category.min_total)
            if key in seen:
                raise ValueError(f"category {category.name!r} repeats min_total {category.min_total}")
            seen.add(key)
        return categories

    def category_rate(self, category: str | None, fee_base: Decimal) -> CategoryRate:
        """The rule for `category` at this fee base, else the default's."""
        for name in (category, DEFAULT_CATEGORY):
            rules = [c for c in self.categories if c.name == name and c.min_total <= fee_base]
            if rules:
                return max(rules, key=lambda c: c.min_total)
        raise AssertionError("validated tables always hold a default category")


class Schedule(_Strict):
    """The fees in force from `effective_from` until the next schedule of the same platform."""

    effective_from: date
    source: str = Field(min_length=1)
    ships: bool
    local_pickup: Literal["free", "same_fees", "not_offered"]
    fees: FeeRule | None = None

    @model_validator(mode="after")
    def _fees_when_charged(self) -> Schedule:
        if self.fees is None and (self.ships or self.local_pickup == "same_fees"):
            raise ValueError("a [schedule.fees] table is needed when the platform ships or charges pickups")
        return self


class PlatformFees(_Strict):
    """One platform's fee table: its currency and dated schedules, oldest first."""

    platform: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    schedule: list[Schedule] = Field(min_length=1)

    @field_validator("schedule")
    @classmethod
    def _dates_increase(cls, schedule: list[Schedule]) -> list[Schedule]:
        days = [s.effective_from for s in schedule]
        if any(b <= a for a, b in pairwise(days)):
            raise ValueError("effective_from dates must strictly increase")
        return schedule

    def in_force(self, on: date) -> Schedule:
        """The schedule in force on `on`; raises InvalidInput before the first one."""
        current = [s for s in self.schedule if s.effective_from <= on]
        if not current:
            raise InvalidInput(
                f"no {self.platform} fee schedule in force on {on} "
                f"(its table starts {self.schedule[0].effective_from})"
            )
        return current[-1]

    def categories(self) -> list[str]:
        """Every category name any schedule knows."""
        return sorted({c.name for s in self.schedule if s.fees for c in s.fees.categories})


@dataclass(frozen=True, slots=True)
class FeeBreakdown:
    """What one sale pays a platform, by part, and which table row said so."""

    platform: str
    category: str
    """the category rule applied ("default" when the asked category has none)"""
    shipped: bool
    effective_from: date
    base: Money
    """the amount the selling fee percentage is charged on"""
    selling: Money
    per_order: Money
    processing: Money
    source: str

    @property
    def total(self) -> Money:
        """All fees together."""
        return self.selling + self.per_order + self.processing


class FeeTables:
    """The fee tables of every known platform."""

    def __init__(self, platforms: Mapping[str, PlatformFees]) -> None:
        self._platforms = dict(platforms)

    def platforms(self) -> list[str]:
        """Every platform with a table."""
        return sorted(self._platforms)

    def table(self, platform: str) -> PlatformFees:
        """One platform's table; raises ConfigError for an unknown platform."""
        try:
            return self._platforms[platform]
        except KeyError:
            known = ", ".join(self.platforms()) or "none"
            raise ConfigError(f"no fee table for platform {platform!r}; known: {known}") from None

    def fee_for(
        self,
        platform: str,
        category: str | None,
        sale_price: Money,
        shipped: bool,
        on: date,
        *,
        shipping_charged: Money | None = None,
        sales_tax_rate: Decimal = Decimal(0),
    ) -> FeeBreakdown:
        """The fees `platform` charges on a sale at `sale_price` on day `on`, shipped or picked up locally.

        `shipping_charged` is what the buyer pays for shipping on top of the price; `sales_tax_rate` the
        buyer's sales tax, counted only where the platform charges its fee on tax too (eBay, Facebook).
        """
        table = self.table(platform)
        if sale_price.currency != table.currency:
            raise InvalidInput(f"{platform} fees are in {table.currency}, not {sale_price.currency}")
        shipping = shipping_charged or Money(Decimal(0), table.currency)
        if shipping.currency != table.currency:
            raise InvalidInput(f"{platform} fees are in {table.currency}, not {shipping.currency}")
        if sale_price.amount < 0 or shipping.amount < 0:
            raise InvalidInput("sale price and shipping charged must not be negative")
        if not Decimal(0) <= sales_tax_rate < 1:
            raise InvalidInput(f"sales tax rate must be a fraction in [0, 1), got {sales_tax_rate}")
        schedule = table.in_force(on)
        zero = Money(Decimal(0), table.currency)
        if shipped and not schedule.ships:
            raise InvalidInput(f"{platform} does not sell shipped items (on {on})")
        if not shipped and schedule.local_pickup == "not_offered":
            raise InvalidInput(f"{platform} has no local pickup (on {on})")
        if not shipped and schedule.local_pickup == "free":
            return FeeBreakdown(
                platform=platform,
                category=DEFAULT_CATEGORY,
                shipped=False,
                effective_from=schedule.effective_from,
                base=sale_price,
                selling=zero,
                per_order=zero,
                processing=zero,
                source=schedule.source,
            )
        assert schedule.fees is not None  # validated: fees exist whenever a sale is charged
        rule = schedule.fees
        parts = {
            "item": sale_price.amount,
            "shipping": shipping.amount if shipped else Decimal(0),
        }
        parts["sales_tax"] = (parts["item"] + parts["shipping"]) * sales_tax_rate

        fee_base = sum((parts[p] for p in rule.base), Decimal(0))
        rate = rule.category_rate(category, fee_base)
        selling = _banded(rate, fee_base)
        steps = rule.per_order if rate.per_order is None else rate.per_order
        per_order = _step(steps, fee_base)
        processing = Decimal(0)
        if rule.processing is not None:
            processing_base = sum((parts[p] for p in rule.processing.base), Decimal(0))
            processing = processing_base * rule.processing.rate + rule.processing.fixed
        return FeeBreakdown(
            platform=platform,
            category=rate.name,
            shipped=shipped,
            effective_from=schedule.effective_from,
            base=Money(fee_base, table.currency).rounded(),
            selling=Money(selling, table.currency).rounded(),
            per_order=Money(per_order, table.currency).rounded(),
            processing=Money(processing, table.currency).rounded(),
            source=schedule.source,
        )


def _banded(rate: CategoryRate, fee_base: Decimal) -> Decimal:
    """The selling fee: each band's rate on the part of the base inside it, then the floor and the cap."""
    fee, lower = Decimal(0), Decimal(0)
    for band in rate.tiers:
        upper = fee_base if band.up_to is None else min(fee_base, band.up_to)
        if upper <= lower:
            break
        fee += (upper - lower) * band.rate
        lower = upper
    fee = max(fee, rate.minimum)
    return fee if rate.maximum is None else min(fee, rate.maximum)


def _step(steps: list[FixedStep], fee_base: Decimal) -> Decimal:
    for step in steps:
        if step.up_to is None or fee_base <= step.up_to:
            return step.fee
    return Decimal(0)


def _describe(path: Path, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(root)"
        problems.append(f"{path}: {key}: {err['msg']}")
    return "\n".join(problems)


def read_fee_table(path: Path) -> PlatformFees:
    """Read and validate one platform's fee table; problems raise ConfigError naming the file and key."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh, parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        table = PlatformFees.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from exc
    if table.platform != path.stem:
        raise ConfigError(f"{path}: platform: {table.platform!r} differs from the file name {path.stem!r}")
    return table


def load_fee_tables(directory: Path | None = None) -> FeeTables:
    """The built-in tables, with an operator's directory of `<platform>.toml` files overriding or adding."""
    tables = {p.stem: read_fee_table(p) for p in sorted(BUILT_IN_TABLES.glob("*.toml"))}
    if directory is not None:
        if not directory.is_dir():
            raise ConfigError(f"{directory}: fee-tables directory not found")
        tables.update({p.stem: read_fee_table(p) for p in sorted(directory.glob("*.toml"))})
    return FeeTables(tables)


@cache
def default_fee_tables() -> FeeTables:
    """The built-in tables, read once on first use."""
    return load_fee_tables()


def fee_for(
    platform: str,
    category: str | None,
    sale_price: Money,
    shipped: bool,
    on: date,
    *,
    shipping_charged: Money | None = None,
    sales_tax_rate: Decimal = Decimal(0),
) -> FeeBreakdown:
    """The fees of one sale under the built-in tables (see FeeTables.fee_for)."""
    return default_fee_tables().fee_for(
        platform,
        category,
        sale_price,
        shipped,
        on,
        shipping_charged=shipping_charged,
        sales_tax_rate=sales_tax_rate,
    )
