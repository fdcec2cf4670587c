"""The valuation harness: split a file of sold items into a comps pool and queries, value each query
from the pool only, and score the estimates against the prices the queries really sold for.

FILE is CSV (TSV when it ends in .tsv) with columns `name, brand, category, condition, price` and
optionally `description`, `shipping` and `sold_at` (ISO date or stamp, UTC unless it says otherwise);
Mercari's column names (`brand_name`, `category_name`, `item_condition_id`, `item_description`) are
read as the same columns. A `.parquet` FILE needs the `parquet` extra (pandas + pyarrow). Rows priced
at 0 or less are not sales: they are counted (`n_skipped`), not used.

A hash of each row's content puts it in the pool (80%) or the queries (20%): the same split on every
run, whatever the order of rows. With `sold_at`, each query is valued as of its own sale from comps
sold no later than it (a backtest); without it, dates play no part.

The result: `mdape` and `rmsle` over the valued queries, `coverage` (share valued),
`interval_coverage` (share of valued queries whose price lies in their 80% interval), the naive
category+brand pool median's `baseline_mdape` and `baseline_rmsle` on the same valued queries (and
`baseline_mdape_all` on every query), `queries_per_second` (valuation alone, one process),
`index_seconds` (indexing the pool and learning its statistics), `n_pool`, `n_queries`, `n_valued`,
`n_skipped`.
"""

from __future__ import annotations

import csv
import hashlib
import math
import statistics
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dealwatch.core.errors import InvalidInput, NotConfigured
from dealwatch.core.money import Money
from dealwatch.flip.matching import Comp, CompIndex, ItemQuery
from dealwatch.flip.valuation import pool_stats, value

COLUMNS = ("name", "brand", "category", "condition", "price")
OPTIONAL_COLUMNS = ("description", "shipping", "sold_at")
ALIASES = {
    "brand_name": "brand",
    "category_name": "category",
    "item_condition_id": "condition",
    "item_description": "description",
}
QUERY_SHARE = 5  # one row in five is a query
CURRENCY = "USD"
# Valuations of undated files ignore time; any fixed moment will do as "now".
_UNDATED_NOW = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SoldRow:
    """One sold item read from the file, with where it was (for error messages)."""

    where: str
    name: str
    brand: str | None
    category: str | None
    condition: str | None
    price: Decimal
    description: str | None = None
    shipping: Decimal | None = None
    sold_at: datetime | None = None

    @property
    def is_query(self) -> bool:
        """Whether the deterministic split puts this row among the queries."""
        content = "\x1f".join(
            str(x or "")
            for x in (
                self.name,
                self.brand,
                self.category,
                self.condition,
                self.price,
                self.description,
                self.shipping,
                self.sold_at,
            )
        )
        digest = hashlib.blake2b(content.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % QUERY_SHARE == 0


def read_sold_items(path: Path) -> tuple[list[SoldRow], int]:
    """The priced rows of FILE and how many were skipped as unpriced; bad input raises InvalidInput."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if path.suffix.lower() == ".parquet":
        columns, records = _parquet_records(path)
        return parse_sold_items(columns, records, str(path), row_label="row")
    with path.open(encoding="utf-8", newline="") as handle:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        return parse_sold_items(reader.fieldnames or [], _csv_records(reader, str(path)), str(path))


def _csv_records(reader: csv.DictReader[str], name: str) -> Iterator[tuple[int, Mapping[str, str | None]]]:
    for record in reader:
        if None in record:
            raise InvalidInput(f"{name}:{reader.line_num}: more cells than the header has columns")
        yield reader.line_num, record


def _parquet_records(path: Path) -> tuple[list[str], Iterator[tuple[int, Mapping[str, str | None]]]]:
    try:
        import pandas as pd
        import pyarrow  # noqa: F401 - pandas reads Parquet through it
    except ImportError as exc:
        raise NotConfigured(
            f"{path}: reading Parquet needs the 'parquet' extra (pandas and pyarrow): "
            f"pip install 'dealwatch[parquet]' ({exc.name} is missing)"
        ) from None
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a readable Parquet file ({exc})") from None
    records = (
        (number, {str(k): None if _missing(v) else str(v) for k, v in record.items()})
        for number, record in enumerate(frame.to_dict("records"), start=1)
    )
    return [str(c) for c in frame.columns], records


def _missing(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


def parse_sold_items(
    columns: Sequence[str],
    records: Iterable[tuple[int, Mapping[str, str | None]]],
    name: str = "<csv>",
    row_label: str = "line",
) -> tuple[list[SoldRow], int]:
    """Sold rows from a header and (line number, record) pairs; see read_sold_items."""
    present = {ALIASES.get(c.strip(), c.strip()) for c in columns if c}
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise InvalidInput(
            f"{name}:1: missing column {', '.join(missing)}; need {', '.join(COLUMNS)}"
            f" (optional: {', '.join(OPTIONAL_COLUMNS)})"
        )
    rows: list[SoldRow] = []
    skipped = 0
    for number, raw in records:
        record = {ALIASES.get(k.strip(), k.strip()): (v or "").strip() for k, v in raw.items() if k}
        row = _row(record, f"{name}:{number}" if row_label == "line" else f"{name}: row {number}")
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    if not rows:
        raise InvalidInput(f"{name}: no priced rows")
    return rows, skipped


def _row(record: Mapping[str, str], where: str) -> SoldRow | None:
    if not record["name"]:
        raise InvalidInput(f"{where}: column name is empty")
    price = _decimal(record["price"], where, "price")
    if price is None:
        raise InvalidInput(f"{where}: column price is empty")
    if price <= 0:
        return None
    shipping = _decimal(record.get("shipping", ""), where, "shipping")
    return SoldRow(
        where=where,
        name=record["name"],
        brand=record["brand"] or None,
        category=record["category"] or None,
        condition=record["condition"] or None,
        price=price,
        description=record.get("description") or None,
        shipping=shipping,
        sold_at=_moment(record.get("sold_at", ""), where),
    )


def _decimal(text: str, where: str, column: str) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text.replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise InvalidInput(f"{where}: column {column}: {text!r} is not a number") from None
    if not amount.is_finite():
        raise InvalidInput(f"{where}: column {column}: {text!r} is not a finite number")
    return amount


def _moment(text: str, where: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{where}: column sold_at: {text!r} is not an ISO date") from None
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)


def evaluate_value(path: Path) -> dict[str, Any]:
    """Run the harness on FILE and return the metrics (see the module docstring)."""
    rows, skipped = read_sold_items(path)
    return evaluate_rows(rows, skipped)


def evaluate_rows(
    rows: list[SoldRow], skipped: int = 0, *, window_days: int = 90, min_comps: int = 3
) -> dict[str, Any]:
    """Split `rows`, value the queries from the pool and score them against the baseline."""
    queries: list[SoldRow] = []
    pool: list[SoldRow] = []
    for row in rows:
        (queries if row.is_query else pool).append(row)
    if not pool or not queries:
        raise InvalidInput(f"{len(rows)} rows give {len(pool)} comps and {len(queries)} queries: need both")
    started = time.perf_counter()
    index = CompIndex(_comp(r) for r in pool)
    pool_stats(index)
    index_seconds = time.perf_counter() - started
    dated = [r.sold_at for r in rows if r.sold_at is not None]
    latest = max(dated) if dated else _UNDATED_NOW
    started = time.perf_counter()
    valuations = [
        value(
            ItemQuery(q.name, q.brand, q.category, q.condition, q.description, CURRENCY),
            index,
            now=q.sold_at or latest,
            window_days=window_days,
            min_comps=min_comps,
        )
        for q in queries
    ]
    seconds = time.perf_counter() - started
    baseline = _Baseline(pool)
    errors, log_errors, inside, base_errors, base_log_errors = [], [], [], [], []
    for query, valuation in zip(queries, valuations, strict=True):
        if valuation.estimate is None or valuation.low is None or valuation.high is None:
            continue
        truth, guess = float(query.price), baseline.estimate(query)
        estimate = float(valuation.estimate.amount)
        errors.append(abs(estimate - truth) / truth)
        log_errors.append((math.log1p(estimate) - math.log1p(truth)) ** 2)
        inside.append(valuation.low.amount <= query.price <= valuation.high.amount)
        base_errors.append(abs(guess - truth) / truth)
        base_log_errors.append((math.log1p(guess) - math.log1p(truth)) ** 2)
    return {
        "mdape": _round(statistics.median(errors)) if errors else None,
        "rmsle": _round(math.sqrt(statistics.fmean(log_errors))) if log_errors else None,
        "coverage": _round(len(errors) / len(queries)),
        "interval_coverage": _round(statistics.fmean(inside)) if inside else None,
        "baseline_mdape": _round(statistics.median(base_errors)) if base_errors else None,
        "baseline_rmsle": _round(math.sqrt(statistics.fmean(base_log_errors))) if base_log_errors else None,
        "baseline_mdape_all": _round(
            statistics.median(abs(baseline.estimate(q) - float(q.price)) / float(q.price) for q in queries)
        ),
        "queries_per_second": round(len(queries) / seconds, 1),
        "index_seconds": round(index_seconds, 3),
        "n_pool": len(pool),
        "n_queries": len(queries),
        "n_valued": len(errors),
        "n_skipped": skipped,
    }


def _comp(row: SoldRow) -> Comp:
    return Comp(
        title=row.name,
        price=Money(row.price, CURRENCY),
        brand=row.brand,
        category=row.category,
        condition=row.condition,
        shipping=Money(row.shipping, CURRENCY) if row.shipping is not None else None,
        sold_at=row.sold_at,
        source=row.where,
        description=row.description,
    )


class _Baseline:
    """The naive valuer: the pool's median price for the category+brand, else category, else all."""

    def __init__(self, pool: list[SoldRow]) -> None:
        groups: dict[tuple[str, str] | tuple[str] | tuple[()], list[float]] = {}
        for row in pool:
            for key in ((_fold(row.category), _fold(row.brand)), (_fold(row.category),), ()):
                groups.setdefault(key, []).append(float(row.price))
        self._medians = {key: statistics.median(prices) for key, prices in groups.items()}

    def estimate(self, row: SoldRow) -> float:
        """The baseline's price for `row`."""
        for key in ((_fold(row.category), _fold(row.brand)), (_fold(row.category),)):
            if key in self._medians:
                return self._medians[key]
        return self._medians[()]


def _fold(text: str | None) -> str:
    return (text or "").strip().lower()


def _round(number: float) -> float:
    return round(number, 4)
