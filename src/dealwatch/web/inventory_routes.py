"""/v1 routes of the inventory (bought ► listed ► sold, or written off) and the flip analytics; thin over
flip/inventory.py and flip/analytics.py. Amounts are decimal strings in the item's currency."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from dealwatch.core.money import Money
from dealwatch.flip.analytics import flip_analytics
from dealwatch.flip.fees import FeeTables, load_fee_tables
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
from dealwatch.flip.models import InventoryItem, Listing, Opportunity
from dealwatch.web.deps import ApiKeyDep, ClockDep, SessionDep
from dealwatch.web.schemas import ErrorOut

router = APIRouter(prefix="/v1", tags=["inventory"])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or wrong X-API-Key"},
    403: {"model": ErrorOut, "description": "write calls disabled (no api.key set)"},
    404: {"model": ErrorOut, "description": "unknown item, opportunity or listing"},
    422: {"model": ErrorOut, "description": "refused step (nothing was changed), e.g. sold before bought"},
}


class PurchaseIn(BaseModel):
    """A confirmed buy; `cost` and `title` default to the listing's price and title."""

    opportunity_id: int | None = None
    listing_id: int | None = None
    title: str | None = Field(None, max_length=500)
    cost: Decimal | None = None
    extra_costs: Decimal | None = Field(None, description="travel, repairs, cleaning")
    currency: str | None = Field(None, description="default: the listing's, else USD")
    category: str | None = Field(None, description="fee-table category, e.g. watches")
    purchased_at: AwareDatetime | None = None
    by: str | None = Field(None, max_length=100)
    note: str | None = None


class ListingIn(BaseModel):
    """The item listed for resale (again: a new ask or marketplace)."""

    marketplace: str = Field(
        description="a marketplace with a fee table: ebay, facebook, mercari, offerup, local"
    )
    ask: Decimal
    url: str | None = Field(None, max_length=2048)
    listed_at: AwareDatetime | None = None


class SaleIn(BaseModel):
    """The item sold; fees come from the marketplace's dated fee table unless given."""

    price: Decimal
    marketplace: str | None = Field(None, description="default: where it is listed")
    fees: Decimal | None = None
    shipping_cost: Decimal | None = Field(None, description="the label the seller paid")
    shipping_charged: Decimal | None = Field(None, description="what the buyer paid for shipping")
    shipped: bool | None = Field(None, description="default: shipped when a shipping amount is given")
    sold_at: AwareDatetime | None = None


class WriteOffIn(BaseModel):
    """The item written off: it will never sell (broken, lost, returned, donated, scrapped)."""

    reason: str = Field(description="why it was written off, e.g. 'returned to the seller: cracked screen'")
    recovered: Decimal | None = Field(None, description="money got back (partial refund, scrap); default 0")
    written_off_at: AwareDatetime | None = None
    by: str | None = Field(None, max_length=100)


class InventoryEventOut(BaseModel):
    kind: str
    at: datetime
    details: dict[str, Any]


class InventoryItemOut(BaseModel):
    id: int
    opportunity_id: int | None
    listing_id: int | None
    title: str
    category: str | None
    currency: str
    status: Literal["purchased", "listed", "sold", "written_off"]
    cost: Decimal
    extra_costs: Decimal
    purchased_at: datetime
    purchased_by: str | None
    estimated_resale: Decimal | None
    estimated_profit: Decimal | None
    score: float | None
    marketplace: str | None
    ask_price: Decimal | None
    listed_at: datetime | None
    listing_url: str | None
    sold_at: datetime | None
    sale_price: Decimal | None
    shipping_charged: Decimal | None
    shipping_cost: Decimal | None
    shipped: bool | None
    fees: Decimal | None
    fees_source: str | None
    realised_profit: Decimal | None
    days_to_sell: int | None
    days_on_market: int | None
    valuation_error: float | None
    written_off_at: datetime | None
    note: str | None


class InventoryItemDetailOut(InventoryItemOut):
    events: list[InventoryEventOut]


class InventoryOut(BaseModel):
    items: list[InventoryItemOut]
    count: int


def _fees(request: Request) -> FeeTables:
    """The fee tables (built-in + `flip.fee_tables_dir`), read on first use and kept for the app's life."""
    if getattr(request.app.state, "fee_tables", None) is None:
        request.app.state.fee_tables = load_fee_tables(request.app.state.settings.flip.fee_tables_dir)
    tables: FeeTables = request.app.state.fee_tables
    return tables


def _out(row: InventoryItem) -> InventoryItemOut:
    return InventoryItemOut.model_validate(row, from_attributes=True)


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


@router.get("/inventory")
def inventory(
    session: SessionDep,
    status: Literal["purchased", "listed", "sold", "written_off", "all"] = "all",
    limit: int = Query(100, ge=1, le=1000),
) -> InventoryOut:
    """Bought items, most recently bought first."""
    rows = list_items(session, None if status == "all" else status, limit)
    return InventoryOut(items=[_out(row) for row in rows], count=len(rows))


@router.get("/inventory/{item_id}", responses={404: {"model": ErrorOut}})
def inventory_item(item_id: int, session: SessionDep) -> InventoryItemDetailOut:
    """One item with its steps (purchased, listed, sold, written_off)."""
    row = get_item(session, item_id)
    events = [
        InventoryEventOut.model_validate(e, from_attributes=True) for e in item_events(session, item_id)
    ]
    return InventoryItemDetailOut.model_validate({**_out(row).model_dump(), "events": events})


@router.post("/inventory", status_code=201, responses=WRITE_ERRORS, dependencies=[ApiKeyDep])
def purchase(body: PurchaseIn, request: Request, session: SessionDep, clock: ClockDep) -> InventoryItemOut:
    """Record a purchase (after confirming a buy); the opportunity, if any, becomes confirmed."""
    currency = body.currency or _listing_currency(session, body) or "USD"
    bought = Purchase(
        opportunity_id=body.opportunity_id,
        listing_id=body.listing_id,
        title=body.title,
        cost=_money(body.cost, currency),
        extra_costs=_money(body.extra_costs, currency),
        category=body.category,
        at=body.purchased_at,
        by=body.by,
        note=body.note,
    )
    row = record_purchase(session, bought, clock.now(), _fees(request))
    session.commit()
    return _out(row)


@router.post("/inventory/{item_id}/listing", responses=WRITE_ERRORS, dependencies=[ApiKeyDep])
def listing(
    item_id: int, body: ListingIn, request: Request, session: SessionDep, clock: ClockDep
) -> InventoryItemOut:
    """List a bought item for resale, or change its ask or marketplace."""
    currency = get_item(session, item_id).currency
    listed = ResaleListing(body.marketplace, Money(body.ask, currency), body.url, body.listed_at)
    row = record_listing(session, item_id, listed, clock.now(), _fees(request))
    session.commit()
    return _out(row)


@router.post("/inventory/{item_id}/sale", responses=WRITE_ERRORS, dependencies=[ApiKeyDep])
def sale(
    item_id: int, body: SaleIn, request: Request, session: SessionDep, clock: ClockDep
) -> InventoryItemOut:
    """Record the sale: fees, realised profit, days to sell and valuation error are computed."""
    currency = get_item(session, item_id).currency
    sold = Sale(
        price=Money(body.price, currency),
        marketplace=body.marketplace,
        fees=_money(body.fees, currency),
        shipping_cost=_money(body.shipping_cost, currency),
        shipping_charged=_money(body.shipping_charged, currency),
        shipped=body.shipped,
        at=body.sold_at,
    )
    row = record_sale(session, item_id, sold, clock.now(), _fees(request))
    session.commit()
    return _out(row)


@router.post("/inventory/{item_id}/write-off", responses=WRITE_ERRORS, dependencies=[ApiKeyDep])
def write_off(item_id: int, body: WriteOffIn, session: SessionDep, clock: ClockDep) -> InventoryItemOut:
    """Write off an item that will never sell; realised profit = recovered − cost − extra costs."""
    currency = get_item(session, item_id).currency
    given_up = WriteOff(body.reason, _money(body.recovered, currency), body.written_off_at, body.by)
    row = record_write_off(session, item_id, given_up, clock.now())
    session.commit()
    return _out(row)


def _listing_currency(session: Session, body: PurchaseIn) -> str | None:
    """The currency of the listing bought, so a bare cost is read in it."""
    listing_id = body.listing_id
    if body.opportunity_id is not None:
        opportunity = session.get(Opportunity, body.opportunity_id)
        listing_id = opportunity.listing_id if opportunity else None
    found = session.get(Listing, listing_id) if listing_id is not None else None
    return found.currency if found else None


class BandFunnelOut(BaseModel):
    band: str
    opportunities: int
    bought: int
    sold: int
    written_off: int


class ConversionOut(BaseModel):
    opportunities: int
    bought: int
    sold: int
    written_off: int
    bought_rate: float | None
    sold_rate: float | None
    written_off_rate: float | None


class AmountOut(BaseModel):
    amount: Decimal
    currency: str


class StockOut(BaseModel):
    status: str
    items: int
    cost: AmountOut


class MonthProfitOut(BaseModel):
    month: str
    sold: int
    written_off: int
    revenue: AmountOut
    realised_profit: AmountOut
    mean_days_to_sell: float | None


class CalibrationOut(BaseModel):
    band: str
    sold: int
    written_off: int
    profitable: int
    expected_profit: AmountOut | None
    realised_profit: AmountOut
    mean_realised_profit: AmountOut


class ValuationErrorOut(BaseModel):
    count: int
    mdape: float | None = Field(description="median |estimate − sale| / sale")
    bias: float | None = Field(description="mean (estimate − sale) / sale; above 0: estimates ran high")


class AnalyticsOut(BaseModel):
    since: datetime | None
    until: datetime | None
    listings_scanned: int
    listings_by_marketplace: dict[str, int]
    opportunities_by_route: dict[str, int]
    opportunities_by_band: list[BandFunnelOut]
    conversion: ConversionOut
    stock: list[StockOut]
    profit_by_month: list[MonthProfitOut]
    calibration: list[CalibrationOut]
    valuation_error: ValuationErrorOut


@router.get("/analytics/flip")
def analytics(
    session: SessionDep, since: AwareDatetime | None = None, until: AwareDatetime | None = None
) -> AnalyticsOut:
    """Listings scanned, opportunities by score band and route, conversion (opportunities ► bought ► sold
    or written off), stock, realised profit per month and score calibration (write-off losses included),
    and valuation error (sales only)."""
    report = flip_analytics(session, since, until)
    c = report.conversion
    return AnalyticsOut(
        since=report.since,
        until=report.until,
        listings_scanned=report.listings_scanned,
        listings_by_marketplace=report.listings_by_marketplace,
        opportunities_by_route=report.opportunities_by_route,
        opportunities_by_band=[
            BandFunnelOut.model_validate(b, from_attributes=True) for b in report.opportunities_by_band
        ],
        conversion=ConversionOut(
            opportunities=c.opportunities,
            bought=c.bought,
            sold=c.sold,
            written_off=c.written_off,
            bought_rate=c.bought_rate,
            sold_rate=c.sold_rate,
            written_off_rate=c.written_off_rate,
        ),
        stock=[StockOut(status=s.status, items=s.items, cost=_amount(s.cost)) for s in report.stock],
        profit_by_month=[
            MonthProfitOut(
                month=m.month,
                sold=m.sold,
                written_off=m.written_off,
                revenue=_amount(m.revenue),
                realised_profit=_amount(m.realised_profit),
                mean_days_to_sell=m.mean_days_to_sell,
            )
            for m in report.profit_by_month
        ],
        calibration=[
            CalibrationOut(
                band=b.band,
                sold=b.sold,
                written_off=b.written_off,
                profitable=b.profitable,
                expected_profit=_amount(b.expected_profit) if b.expected_profit else None,
                realised_profit=_amount(b.realised_profit),
                mean_realised_profit=_amount(b.mean_realised_profit),
            )
            for b in report.calibration
        ],
        valuation_error=ValuationErrorOut.model_validate(report.valuation_error, from_attributes=True),
    )


def _amount(money: Money) -> AmountOut:
    return AmountOut(amount=money.amount, currency=money.currency)
