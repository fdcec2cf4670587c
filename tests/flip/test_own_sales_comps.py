"""The operator's own sales join the marketplace's sold results as comps (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.money import Money
from dealwatch.flip.comps import SoldItems, WithOwnSales
from dealwatch.flip.fees import default_fee_tables
from dealwatch.flip.inventory import (
    Purchase,
    ResaleListing,
    Sale,
    record_listing,
    record_purchase,
    record_sale,
    sold_since,
)
from dealwatch.flip.listing import ListingDraft

NOW = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
TABLES = default_fee_tables()


class Marketplace:
    """A comps source answering every query with one eBay sale, or failing."""

    name = "ebay_sold"

    def __init__(self, outcome: str = "ok") -> None:
        self.outcome = outcome

    async def sold(self, query: str, now: datetime) -> SoldItems:
        if self.outcome != "ok":
            return SoldItems(query, self.outcome, reason="bot wall")
        sale = ListingDraft(
            marketplace="ebay",
            external_id="e1",
            title="Makita XFD131 18V drill driver kit",
            url="https://www.ebay.com/itm/1",
            price=Money.of("120"),
            sold=True,
            sold_at=now - timedelta(days=3),
        )
        return SoldItems(query, "ok", (sale,), fetched_at=now)


def sell(sessions: sessionmaker[Session], title: str, price: str, days_ago: int) -> None:
    sold_at = NOW - timedelta(days=days_ago)
    with sessions.begin() as session:
        item = record_purchase(
            session, Purchase(title=title, cost=Money.of("40"), at=sold_at - timedelta(days=5)), NOW, TABLES
        )
        record_listing(
            session,
            item.id,
            ResaleListing("ebay", Money.of(price), at=sold_at - timedelta(days=4)),
            NOW,
            TABLES,
        )
        record_sale(session, item.id, Sale(Money.of(price), at=sold_at), NOW, TABLES)


def own_sales(sessions: sessionmaker[Session], marketplace: Marketplace) -> WithOwnSales:
    def sales(since: datetime) -> list[ListingDraft]:
        with sessions() as session:
            return sold_since(session, since)

    return WithOwnSales(marketplace, sales)


async def test_matching_recent_own_sales_join_the_marketplace_comps(sessions: sessionmaker[Session]) -> None:
    sell(sessions, "Makita XFD131 drill kit with 2 batteries", "135", days_ago=10)
    sell(sessions, "Makita XFD131 drill driver", "150", days_ago=200)  # outside the 90-day window
    sell(sessions, "Fender Player Stratocaster", "600", days_ago=5)  # another item
    with sessions.begin() as session:  # bought, not sold yet: no price to learn from
        record_purchase(session, Purchase(title="Makita XFD131 drill", cost=Money.of("30")), NOW, TABLES)

    found = await own_sales(sessions, Marketplace()).sold("Makita XFD131 drill", NOW)

    assert found.outcome == "ok"
    assert [(item.marketplace, item.price) for item in found.items] == [
        ("ebay", Money.of("120")),
        ("ebay", Money(Decimal("135"), "USD")),
    ]
    mine = found.items[1]
    assert (
        mine.sold and mine.sold_at == NOW - timedelta(days=10) and mine.external_id.startswith("inventory-")
    )


async def test_own_sales_never_stand_in_for_a_blocked_marketplace(sessions: sessionmaker[Session]) -> None:
    sell(sessions, "Makita XFD131 drill kit", "135", days_ago=10)
    found = await own_sales(sessions, Marketplace("blocked")).sold("Makita XFD131 drill", NOW)
    assert found.outcome == "blocked" and found.items == ()
