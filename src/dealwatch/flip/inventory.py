"""Inventory: what a person bought to resell, followed purchased ► listed ► sold (or written off).

The buy workflow never spends money by itself (opportunities.py): once a person has bought the item,
`record_purchase` adds it here, copying the opportunity's estimate, expected profit and score so the
realised sale is later measured against what was predicted when the decision was taken. `record_listing`
puts it up for resale (again to change the ask or the marketplace), and `record_sale` closes it:

    fees            = the marketplace's dated fee table on the day of the sale, unless given
    realised profit = sale price + shipping charged − fees − shipping label − cost − extra costs
    days to sell    = calendar days (UTC) from purchase to sale; days on market from listing to sale
    valuation error = (estimated resale − sale price) / sale price       (> 0: the estimate ran high)

An item that will never sell (broken, lost, returned for a partial refund, donated, scrapped) is closed
by `record_write_off` instead, its loss realised:

    realised profit = recovered − cost − extra costs           (recovered: a partial refund, a scrap sale)

A sold or written-off item is closed: it can't be listed, sold or written off again. Every step is
validated before anything is written, so bad input raises InvalidInput and changes nothing; each step
is kept as an InventoryEvent. The opportunity, when there is one, follows along (confirmed ► listed ►
sold, or written_off).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.core.money import Money
from dealwatch.flip.fees import FeeBreakdown, FeeTables
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.models import InventoryEvent, InventoryItem, Listing, Opportunity

STATUSES = ("purchased", "listed", "sold", "written_off")
CLOSED = ("sold", "written_off")


@dataclass(frozen=True, slots=True)
class Purchase:
    """A confirmed buy. Cost and title default to the listing's price and title when there is one."""

    opportunity_id: int | None = None
    listing_id: int | None = None
    title: str | None = None
    cost: Money | None = None
    extra_costs: Money | None = None
    """travel, repairs, cleaning: counted against the realised profit"""
    category: str | None = None
    """the fee table's category name (e.g. "watches"); None pays the default rate"""
    at: datetime | None = None
    by: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ResaleListing:
    """The item put up for sale on a marketplace."""

    marketplace: str
    ask: Money
    url: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sale:
    """The item sold. Fees are computed from the marketplace's fee table unless given."""

    price: Money
    marketplace: str | None = None
    """where it sold; defaults to where it is listed"""
    fees: Money | None = None
    shipping_cost: Money | None = None
    """the label the seller paid"""
    shipping_charged: Money | None = None
    """what the buyer paid for shipping on top of the price"""
    shipped: bool | None = None
    """None: shipped when a shipping cost or charge is given, else a local pickup"""
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WriteOff:
    """The item given up on: broken, lost, returned for a partial refund, donated or scrapped."""

    reason: str
    recovered: Money | None = None
    """money got back (a partial refund, a scrap sale); default nothing"""
    at: datetime | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """The money of one sale, every part kept so it can be shown and checked."""

    fees: Money
    fees_source: str
    breakdown: FeeBreakdown | None
    """the fee table row the fees came from; None when they were given"""
    shipped: bool
    shipping_cost: Money
    shipping_charged: Money
    realised_profit: Money


def settle(item: InventoryItem, sale: Sale, marketplace: str, on: datetime, tables: FeeTables) -> Settlement:
    """What the sale leaves after fees, shipping, the cost and the extra costs (nothing is written)."""
    currency = item.currency
    zero = Money(Decimal(0), currency)
    shipping_cost = sale.shipping_cost or zero
    shipping_charged = sale.shipping_charged or zero
    shipped = sale.shipped
    if shipped is None:
        shipped = sale.shipping_cost is not None or sale.shipping_charged is not None
    if not shipped and (shipping_cost.amount or shipping_charged.amount):
        raise InvalidInput("a local pickup sale has no shipping cost or shipping charge")
    _check_amounts(
        currency,
        price=sale.price,
        fees=sale.fees,
        shipping_cost=shipping_cost,
        shipping_charged=shipping_charged,
    )
    _check_marketplace(tables, marketplace)
    breakdown = None
    if sale.fees is not None:
        fees, source = sale.fees, "given"
    else:
        breakdown = tables.fee_for(
            marketplace, item.category, sale.price, shipped, on.date(), shipping_charged=shipping_charged
        )
        fees = breakdown.total
        source = f"{marketplace} fee table of {breakdown.effective_from}, category {breakdown.category}"
    costs = Money(item.cost + item.extra_costs, currency)
    profit = sale.price + shipping_charged - fees - shipping_cost - costs
    return Settlement(fees, source, breakdown, shipped, shipping_cost, shipping_charged, profit.rounded())


def record_purchase(session: Session, purchase: Purchase, now: datetime, tables: FeeTables) -> InventoryItem:
    """Add a bought item to the inventory; its opportunity (if any) becomes confirmed."""
    opportunity, listing = _source(session, purchase)
    title = (purchase.title or (listing.title if listing else "")).strip()
    if not title:
        raise InvalidInput("a purchase without a listing needs a title")
    if len(title) > 500:
        raise InvalidInput(f"title is {len(title)} characters long; at most 500")
    if purchase.by is not None and len(purchase.by) > 100:
        raise InvalidInput("by (who bought it) is at most 100 characters")
    cost = purchase.cost
    if cost is None:
        if listing is None or listing.price is None:
            raise InvalidInput("a purchase needs a cost (the listing shows no price to default to)")
        cost = Money(listing.price, listing.currency)
    currency = cost.currency
    extra = purchase.extra_costs or Money(Decimal(0), currency)
    _check_amounts(currency, cost=cost, extra_costs=extra)
    if opportunity is not None and opportunity.currency != currency:
        raise InvalidInput(
            f"cost is in {currency} but opportunity {opportunity.id} is in {opportunity.currency}"
        )
    if purchase.category is not None:
        _check_category(tables, purchase.category)
    at = _when(purchase.at, now, "purchase")
    row = InventoryItem(
        opportunity_id=opportunity.id if opportunity else None,
        listing_id=listing.id if listing else None,
        title=title,
        category=purchase.category,
        currency=currency,
        status="purchased",
        cost=cost.amount,
        extra_costs=extra.amount,
        purchased_at=at,
        purchased_by=purchase.by,
        estimated_resale=opportunity.estimate if opportunity else None,
        estimated_profit=opportunity.net_profit if opportunity else None,
        score=opportunity.score if opportunity else None,
        note=purchase.note,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    if opportunity is not None:
        _follow(opportunity, "confirmed", purchase.by, now)
    _event(session, row, "purchased", at, now, {"cost": str(cost.amount), "extra_costs": str(extra.amount)})
    return row


def record_listing(
    session: Session, item_id: int, listing: ResaleListing, now: datetime, tables: FeeTables
) -> InventoryItem:
    """Put a bought item up for sale, or change where or at what price it is listed."""
    row = _open_item(session, item_id)
    _check_marketplace(tables, listing.marketplace)
    _check_amounts(row.currency, ask=listing.ask)
    if listing.ask.amount == 0:
        raise InvalidInput("ask must be above zero")
    if listing.url is not None and len(listing.url) > 2048:
        raise InvalidInput("listing URL is at most 2048 characters")
    at = _when(listing.at, now, "listing")
    if at < row.purchased_at:
        raise InvalidInput(f"listed {_moment(at)}, before it was bought ({_moment(row.purchased_at)})")
    row.status = "listed"
    row.marketplace = listing.marketplace
    row.ask_price = listing.ask.amount
    row.listing_url = listing.url
    row.listed_at = at
    row.updated_at = now
    _follow_opportunity(session, row, "listed", now)
    details = {"marketplace": listing.marketplace, "ask": str(listing.ask.amount), "url": listing.url}
    _event(session, row, "listed", at, now, details)
    return row


def record_sale(
    session: Session, item_id: int, sale: Sale, now: datetime, tables: FeeTables
) -> InventoryItem:
    """Close an item: fees, realised profit, days to sell and valuation error are computed here."""
    row = _open_item(session, item_id)
    marketplace = sale.marketplace or row.marketplace
    if marketplace is None:
        raise InvalidInput(f"inventory item {item_id} is not listed: say which marketplace it sold on")
    at = _when(sale.at, now, "sale")
    _check_after_steps(row, at, "sold")
    money = settle(row, sale, marketplace, at, tables)
    row.status = "sold"
    row.marketplace = marketplace
    row.sold_at = at
    row.sale_price = sale.price.amount
    row.shipping_charged = money.shipping_charged.amount
    row.shipping_cost = money.shipping_cost.amount
    row.shipped = money.shipped
    row.fees = money.fees.amount
    row.fees_source = money.fees_source
    row.realised_profit = money.realised_profit.amount
    row.days_to_sell = (at.date() - row.purchased_at.date()).days
    row.days_on_market = (at.date() - row.listed_at.date()).days if row.listed_at else None
    row.valuation_error = valuation_error(row.estimated_resale, sale.price.amount)
    row.updated_at = now
    _follow_opportunity(session, row, "sold", now)
    details = {
        "marketplace": marketplace,
        "price": str(sale.price.amount),
        "fees": str(money.fees.amount),
        "fees_source": money.breakdown.source if money.breakdown else "given",
        "shipping_cost": str(money.shipping_cost.amount),
        "shipping_charged": str(money.shipping_charged.amount),
        "realised_profit": str(money.realised_profit.amount),
    }
    _event(session, row, "sold", at, now, details)
    return row


def record_write_off(session: Session, item_id: int, write_off: WriteOff, now: datetime) -> InventoryItem:
    """Close an item that will not sell; its loss is realised: recovered − cost − extra costs."""
    row = _open_item(session, item_id)
    reason = write_off.reason.strip()
    if not reason:
        raise InvalidInput("a write-off needs a reason (broken, lost, returned, donated, scrapped, ...)")
    if len(reason) > 500:
        raise InvalidInput(f"reason is {len(reason)} characters long; at most 500")
    if write_off.by is not None and len(write_off.by) > 100:
        raise InvalidInput("by (who wrote it off) is at most 100 characters")
    recovered = write_off.recovered or Money(Decimal(0), row.currency)
    _check_amounts(row.currency, recovered=recovered)
    at = _when(write_off.at, now, "write-off")
    _check_after_steps(row, at, "written off")
    profit = (recovered - Money(row.cost + row.extra_costs, row.currency)).rounded()
    row.status = "written_off"
    row.written_off_at = at
    row.realised_profit = profit.amount
    row.updated_at = now
    _follow_opportunity(session, row, "written_off", now)
    details = {
        "reason": reason,
        "recovered": str(recovered.amount),
        "realised_profit": str(profit.amount),
        "by": write_off.by,
    }
    _event(session, row, "written_off", at, now, details)
    return row


def valuation_error(estimate: Decimal | None, sale_price: Decimal) -> float | None:
    """(estimate − sale price) / sale price; None without an estimate or for a sale at zero."""
    if estimate is None or sale_price <= 0:
        return None
    return float((estimate - sale_price) / sale_price)


def sold_since(session: Session, since: datetime) -> list[ListingDraft]:
    """The items this operator sold since `since`, as sold listings: comps as good as any eBay sale."""
    rows = session.scalars(
        select(InventoryItem).where(
            InventoryItem.status == "sold",
            InventoryItem.sold_at >= since,
            InventoryItem.sale_price.is_not(None),
        )
    )
    return [
        ListingDraft(
            marketplace=item.marketplace or "own",
            external_id=f"inventory-{item.id}",
            title=item.title,
            url=item.listing_url or f"inventory:{item.id}",
            price=Money(item.sale_price, item.currency),
            currency=item.currency,
            sold=True,
            sold_at=item.sold_at,
            shipping=Money(item.shipping_charged, item.currency)
            if item.shipping_charged is not None
            else None,
            raw={"source": "inventory"},
        )
        for item in rows
        if item.sale_price is not None
    ]


def get_item(session: Session, item_id: int) -> InventoryItem:
    """One inventory item; raises NotFound."""
    row = session.get(InventoryItem, item_id)
    if row is None:
        raise NotFound(f"no inventory item {item_id}")
    return row


def list_items(session: Session, status: str | None = None, limit: int = 1000) -> list[InventoryItem]:
    """Inventory items, most recently bought first; `status` one of STATUSES."""
    query = select(InventoryItem).order_by(InventoryItem.purchased_at.desc(), InventoryItem.id.desc())
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        query = query.where(InventoryItem.status == status)
    return list(session.scalars(query.limit(limit)))


def item_events(session: Session, item_id: int) -> list[InventoryEvent]:
    """The steps of one item, oldest first."""
    query = select(InventoryEvent).where(InventoryEvent.item_id == item_id)
    return list(session.scalars(query.order_by(InventoryEvent.at, InventoryEvent.id)))


def _source(session: Session, purchase: Purchase) -> tuple[Opportunity | None, Listing | None]:
    """The opportunity and listing a purchase came from; a listing's opportunity is found by itself."""
    opportunity = listing = None
    if purchase.opportunity_id is not None:
        opportunity = session.get(Opportunity, purchase.opportunity_id)
        if opportunity is None:
            raise NotFound(f"no opportunity {purchase.opportunity_id}")
        if purchase.listing_id is not None and purchase.listing_id != opportunity.listing_id:
            raise InvalidInput(
                f"opportunity {opportunity.id} is about listing {opportunity.listing_id}, "
                f"not {purchase.listing_id}"
            )
        listing = session.get(Listing, opportunity.listing_id)
    elif purchase.listing_id is not None:
        listing = session.get(Listing, purchase.listing_id)
        if listing is None:
            raise NotFound(f"no listing {purchase.listing_id}")
        opportunity = session.scalar(select(Opportunity).where(Opportunity.listing_id == listing.id))
    if opportunity is not None:
        held = session.scalar(select(InventoryItem.id).where(InventoryItem.opportunity_id == opportunity.id))
        if held is not None:
            raise InvalidInput(f"opportunity {opportunity.id} is already in the inventory as item {held}")
    return opportunity, listing


def _open_item(session: Session, item_id: int) -> InventoryItem:
    """An item still in stock; a sold or written-off item is closed for good."""
    row = get_item(session, item_id)
    if row.status in CLOSED:
        raise InvalidInput(f"inventory item {item_id} is already {row.status.replace('_', ' ')}")
    return row


def _check_after_steps(row: InventoryItem, at: datetime, done: str) -> None:
    """An item is not closed before it was bought, nor before it was listed."""
    if at < row.purchased_at:
        raise InvalidInput(f"{done} {_moment(at)}, before it was bought ({_moment(row.purchased_at)})")
    if row.listed_at is not None and at < row.listed_at:
        raise InvalidInput(f"{done} {_moment(at)}, before it was listed ({_moment(row.listed_at)})")


def _check_amounts(currency: str, **amounts: Money | None) -> None:
    for name, money in amounts.items():
        if money is None:
            continue
        if money.currency != currency:
            raise InvalidInput(f"{name} is in {money.currency}, but the item is in {currency}")
        if money.amount < 0:
            raise InvalidInput(f"{name} must not be negative, got {money}")


def _check_marketplace(tables: FeeTables, marketplace: str) -> None:
    """Only a marketplace with a fee table can be listed or sold on: its sales are costed from it."""
    if marketplace not in tables.platforms():
        known = ", ".join(tables.platforms())
        raise InvalidInput(
            f"unknown marketplace {marketplace!r}: no fee table for it; known: {known} "
            "('local' for a sale in person with no fees)"
        )


def _check_category(tables: FeeTables, category: str) -> None:
    known = sorted({name for p in tables.platforms() for name in tables.table(p).categories()})
    if category not in known:
        raise InvalidInput(f"unknown fee category {category!r}; known: {', '.join(known)}")


def _when(at: datetime | None, now: datetime, what: str) -> datetime:
    """The moment of a step: given or now; tz-aware and not in the future."""
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidInput(f"{what} time {at.isoformat()} has no time zone")
    if at > now:
        raise InvalidInput(f"{what} time {_moment(at)} is in the future (now {_moment(now)})")
    return at.astimezone(UTC)


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _follow(opportunity: Opportunity, status: str, by: str | None, now: datetime) -> None:
    opportunity.status = status
    opportunity.updated_at = now
    if status == "confirmed":
        opportunity.decided_at = opportunity.decided_at or now
        opportunity.decided_by = opportunity.decided_by or by


def _follow_opportunity(session: Session, item: InventoryItem, status: str, now: datetime) -> None:
    if item.opportunity_id is not None and (opportunity := session.get(Opportunity, item.opportunity_id)):
        _follow(opportunity, status, None, now)


def _event(
    session: Session, item: InventoryItem, kind: str, at: datetime, now: datetime, details: dict[str, Any]
) -> None:
    session.add(InventoryEvent(item_id=item.id, kind=kind, at=at, recorded_at=now, details=details))
    session.flush()
