"""Opportunities: a stored listing valued from sold comps, costed, scored and routed, then decided.

`assess` is the pure part (comps ► valuation ► profit after fees, shipping and travel ► risk flags ►
score ► route); `save_assessment` stores it once per listing (re-assessing updates it);
`decide` records a person's answer on the buy workflow. Nothing here spends money: a `buy` route
opens a purchase task that waits for a person (no marketplace offers a buying API).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from statistics import NormalDist
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealwatch.alerts.notify import Alert
from dealwatch.core.errors import InvalidInput, NotFound
from dealwatch.core.money import Money
from dealwatch.flip.comps import SoldItems
from dealwatch.flip.fees import FeeTables
from dealwatch.flip.listing import ListingDraft
from dealwatch.flip.llm_evaluation import LlmEvaluation, evaluate
from dealwatch.flip.matching import Comp, CompIndex, ItemQuery
from dealwatch.flip.models import Listing, Opportunity
from dealwatch.flip.profit import (
    ProfitEstimate,
    estimate_profit,
    median_shipping,
    shipping_estimate,
    travel_cost,
)
from dealwatch.flip.scoring import Score, detect_risks, route, score
from dealwatch.flip.valuation import Valuation, value
from dealwatch.llm.base import LLMClient

# Where each route leaves an opportunity; a person moves it on from there.
STATUS_OF_ROUTE = {"buy": "open", "review": "review", "skip": "skipped"}
DECISIONS = {"confirm": "confirmed", "reject": "rejected", "listed": "listed", "sold": "sold"}


@dataclass(frozen=True, slots=True)
class FlipRules:
    """How listings are costed and routed (the `flip.*` settings)."""

    sell_on: str = "ebay"
    shipped: bool = True
    target_profit: Decimal = Decimal("50")
    travel_rate: Decimal = Decimal("0.70")  # per mile, round trip
    buy_at: float = 8.0
    review_at: float = 6.0
    min_comps: int = 3
    window_days: int = 90


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything decided about one listing; `reason` says why it was not valued or costed."""

    valuation: Valuation | None
    profit: ProfitEstimate | None
    score: Score | None
    route: str
    reason: str | None = None
    llm: LlmEvaluation | None = None  # the optional LLM tier's verdict, capped by the computed evidence

    @property
    def score_value(self) -> float:
        if self.llm is not None:
            return self.llm.verdict.profit_score
        return self.score.value if self.score is not None else 0.0


def draft_of(row: Listing) -> ListingDraft:
    """The stored listing as the scorers read it."""
    price = Money(row.price, row.currency) if row.price is not None else None
    return ListingDraft(
        marketplace=row.marketplace,
        external_id=row.external_id,
        title=row.title,
        url=row.url,
        price=price,
        price_note=row.price_note,
        currency=row.currency,
        location=row.location,
        distance_km=row.distance_km,
        condition=row.condition,
        image_urls=tuple(row.image_urls),
        posted_at=row.posted_at,
        seller=row.seller,
    )


def assess(
    listing: ListingDraft,
    sold: SoldItems,
    fees: FeeTables,
    rules: FlipRules,
    now: datetime,
    *,
    photo_hint: str | None = None,
) -> Assessment:
    """Value the listing from the sold items, cost the flip, score and route it; `photo_hint` is the
    brand and model number read from its photos (OCR), matched on when the title names none."""
    if sold.outcome != "ok":
        return Assessment(None, None, None, "review", f"comps {sold.outcome}: {sold.reason or 'no answer'}")
    if listing.price is None:
        return Assessment(None, None, None, "review", f"no price ({listing.price_note or 'not shown'})")
    comps = [Comp.from_listing(item) for item in sold.items if item.sold and item.price is not None]
    valuation = value(
        replace(ItemQuery.from_listing(listing), description=photo_hint),
        CompIndex(comps),
        now=now,
        window_days=rules.window_days,
        min_comps=rules.min_comps,
    )
    if valuation.estimate is None:
        return Assessment(valuation, None, None, "skip", valuation.reason)
    currency = listing.price.currency
    used = [match.comp for match in valuation.comps_used]
    shipping = shipping_estimate(median_shipping(c.shipping for c in used)) if rules.shipped else None
    travel = None
    if listing.distance_km is not None:
        miles = listing.distance_km / Decimal("1.609344")
        travel = travel_cost(miles, Money(rules.travel_rate, currency), per="mi")
    buy_price = listing.price

    def costed(sell_price: Money) -> ProfitEstimate:
        return estimate_profit(
            buy_price,
            sell_price,
            platform=rules.sell_on,
            category=None,
            shipped=rules.shipped,
            on=now.date(),
            shipping=shipping,
            travel=travel,
            target_profit=Money(rules.target_profit, currency),
            tables=fees,
        )

    try:
        profit = costed(valuation.estimate)
        at_low = costed(valuation.low) if valuation.low is not None else None
    except InvalidInput as exc:  # e.g. comps in another currency than the listing
        return Assessment(valuation, None, None, "review", str(exc))
    confidence = profit_confidence(valuation, profit, at_low)
    scored = score(profit, confidence, detect_risks(listing, valuation, now=now), n_comps=valuation.n_comps)
    return Assessment(
        valuation, profit, scored, route(scored, buy_at=rules.buy_at, review_at=rules.review_at)
    )


_Z80 = NormalDist().inv_cdf(0.9)  # an 80% interval's half-width, in standard deviations


def profit_confidence(valuation: Valuation, profit: ProfitEstimate, at_low: ProfitEstimate | None) -> float:
    """How sure the flip is to make money: P(net profit > 0) × how closely the comps match the item.

    The resale price is read as log-normal around the estimate, each side's spread taken from the
    valuation's 80% interval; net profit moves linearly with the resale price (fees are a share of it),
    so its break-even resale price comes from the profit at the estimate and at the interval's low end.
    Without a usable interval the valuation's own confidence stands.
    """
    estimate, low, high = valuation.estimate, valuation.low, valuation.high
    if estimate is None or low is None or high is None or at_low is None or not valuation.comps_used:
        return valuation.confidence
    e, lo, hi = float(estimate.amount), float(low.amount), float(high.amount)
    net, net_low = float(profit.net_profit.amount), float(at_low.net_profit.amount)
    if not 0 < lo < e <= hi or net <= net_low:
        return valuation.confidence
    breakeven = e - net * (e - lo) / (net - net_low)  # the resale price at which net profit is zero
    if breakeven <= 0:
        chance = 1.0
    elif breakeven <= e:
        chance = NormalDist().cdf(math.log(e / breakeven) / (math.log(e / lo) / _Z80))
    elif hi > e:
        chance = NormalDist().cdf(-math.log(breakeven / e) / (math.log(hi / e) / _Z80))
    else:
        chance = 0.0
    closeness = sum(match.similarity for match in valuation.comps_used) / len(valuation.comps_used)
    return round(min(max(chance * closeness, 0.0), 1.0), 3)


async def with_llm(
    client: LLMClient,
    listing: ListingDraft,
    assessment: Assessment,
    rules: FlipRules,
    *,
    photo_text: str | None = None,
) -> Assessment:
    """Ask the LLM tier about a costed listing that is not a plain skip; its verdict can lower the route,
    never make a buy of a listing whose computed profit is below the target."""
    valuation, profit, scored = assessment.valuation, assessment.profit, assessment.score
    if valuation is None or profit is None or scored is None or assessment.route == "skip":
        return assessment
    verdict = await evaluate(
        client,
        listing,
        valuation,
        profit,
        scored,
        comps=[match.comp for match in valuation.comps_used],
        photo_text=photo_text,
        min_buy_profit=Money(rules.target_profit, profit.net_profit.currency),
        buy_at=rules.buy_at,
        review_at=rules.review_at,
    )
    decided = verdict.route(buy_at=rules.buy_at, review_at=rules.review_at)
    return replace(assessment, route=decided, llm=verdict)


def save_assessment(session: Session, listing_id: int, assessment: Assessment, now: datetime) -> Opportunity:
    """Store (or update) the listing's opportunity; a decision already taken is kept."""
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(f"no listing {listing_id}")
    row = session.scalar(select(Opportunity).where(Opportunity.listing_id == listing_id))
    if row is None:
        row = Opportunity(listing_id=listing_id, created_at=now, currency=listing.currency)
        session.add(row)
    valuation, profit, scored = assessment.valuation, assessment.profit, assessment.score
    row.currency = listing.currency
    row.buy_price = listing.price
    row.estimate = _amount(valuation.estimate) if valuation else None
    row.low = _amount(valuation.low) if valuation else None
    row.high = _amount(valuation.high) if valuation else None
    row.n_comps = valuation.n_comps if valuation else 0
    row.confidence = valuation.confidence if valuation else 0.0
    row.net_profit = profit.net_profit.amount if profit else None
    row.margin = float(profit.margin) if profit and profit.margin is not None else None
    row.roi = float(profit.roi) if profit and profit.roi is not None else None
    row.max_buy = profit.max_buy_price.amount if profit else None
    row.score = round(assessment.score_value, 2)
    row.risk_level = scored.risk_level if scored else None
    row.route = assessment.route
    if row.decided_at is None:
        row.status = STATUS_OF_ROUTE[assessment.route]
    row.reason = assessment.reason or ("; ".join(scored.reasons) if scored else None)
    row.details = _details(assessment)
    row.updated_at = now
    session.flush()
    return row


def _amount(money: Money | None) -> Decimal | None:
    return money.amount if money is not None else None


def _details(assessment: Assessment) -> dict[str, Any]:
    """What the opportunity rests on, as JSON: comps used, fees, score parts and risk flags."""
    out: dict[str, Any] = {}
    if assessment.valuation is not None:
        out["comps"] = [
            {
                "title": m.comp.title,
                "price": str(m.comp.price.amount),
                "sold_at": m.comp.sold_at.isoformat() if m.comp.sold_at else None,
                "url": m.comp.url,
                "similarity": round(m.similarity, 3),
            }
            for m in assessment.valuation.comps_used
        ]
        out["valuation_method"] = assessment.valuation.method
    if assessment.profit is not None:
        fees = assessment.profit.fees
        out["fees"] = {"platform": fees.platform, "total": str(fees.total.amount), "source": fees.source}
        out["shipping"] = str(assessment.profit.shipping.cost.amount)
        out["travel"] = str(assessment.profit.travel.amount)
    if assessment.llm is not None:
        out["llm"] = {
            "verdict": assessment.llm.verdict.model_dump(mode="json"),
            "failure": assessment.llm.failure,
            "caps": list(assessment.llm.caps),
        }
    if assessment.score is not None:
        out["score_components"] = {k: round(v, 3) for k, v in assessment.score.components.items()}
        out["risk_flags"] = [flag.code for flag in assessment.score.flags]
    return json.loads(json.dumps(out, default=str))


def high_value_alert(listing: ListingDraft, opportunity: Opportunity, listing_id: int) -> Alert:
    """The seed's high-value message; keyed by listing and priced, so a price drop alerts again."""
    profit = f"{opportunity.net_profit:,.0f}" if opportunity.net_profit is not None else "?"
    price = listing.price.amount if listing.price is not None else None
    body = "\n".join(
        [
            "HIGH-VALUE OPPORTUNITY FOUND",
            f"Product: {listing.title}",
            f"Source price: {price} {opportunity.currency}",
            f"Estimated resale: {opportunity.estimate} {opportunity.currency} ({opportunity.n_comps} comps)",
            f"Estimated profit: {profit} {opportunity.currency}",
            f"Profit score: {opportunity.score}/10",
            f"Confidence: {opportunity.confidence * 100:.0f}%",
            f"Marketplace: {listing.marketplace}",
            f"Location: {listing.location or 'n/a'}",
            f"Link: {listing.url}",
            f"Analysis: {opportunity.reason or ''}",
        ]
    )
    title = f"{profit} {opportunity.currency} profit opportunity"
    return Alert(f"listing:{listing_id}", str(price), title, body, listing_id)


def find_opportunities(
    session: Session,
    *,
    min_score: float = 0.0,
    marketplace: str | None = None,
    status: str = "open",
    route: str | None = None,
    limit: int = 100,
) -> list[tuple[Opportunity, Listing]]:
    """Opportunities with their listings, best score first; `status="all"` for every status."""
    query = (
        select(Opportunity, Listing)
        .join(Listing, Listing.id == Opportunity.listing_id)
        .where(Opportunity.score >= min_score)
        .order_by(Opportunity.score.desc(), Opportunity.id)
    )
    if marketplace:
        query = query.where(Listing.marketplace == marketplace)
    if status != "all":
        query = query.where(Opportunity.status == status)
    if route:
        query = query.where(Opportunity.route == route)
    return [(row, listing) for row, listing in session.execute(query.limit(limit))]


def count_by_status(session: Session) -> dict[str, int]:
    """How many opportunities stand in each status (open, review, skipped, confirmed, ...)."""
    query = select(Opportunity.status, func.count(Opportunity.id)).group_by(Opportunity.status)
    return {status: int(n) for status, n in session.execute(query)}


def decide(
    session: Session, opportunity_id: int, decision: str, by: str | None, now: datetime
) -> Opportunity:
    """A person's decision: confirm or reject the buy, then mark it listed and sold."""
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    row = session.get(Opportunity, opportunity_id)
    if row is None:
        raise NotFound(f"no opportunity {opportunity_id}")
    row.status = DECISIONS[decision]
    row.decided_at, row.decided_by, row.updated_at = now, by, now
    session.flush()
    return row
