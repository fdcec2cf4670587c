"""Cross-posts: one physical item listed on several marketplaces, linked into one group.

A listing is compared with active listings on the other marketplaces in the same currency whose price
is within `max_price_gap` of its own (as a share of the higher price), that have a usable photo hash.
A pair is the same item when

1. their titles are alike (rapidfuzz token-set ratio of the normalised titles ≥ `min_title_similarity`),
   and they don't name different model numbers, and
2. one photo of each is the same picture (difference hashes at most `max_image_distance` bits apart).

The photo is the deciding evidence: two sellers of the same model at the same price write the same
title, but they don't post the same photo. Without a usable photo on both sides nothing is linked.

Groups are stored per listing (`CrossPost.group_id`, the smallest listing id of the group) and merge
when a listing matches posts of two groups. A group alerts once: a post is not alerted when another
post of the same item already was (that post still re-alerts on its own price drop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from rapidfuzz import fuzz, process
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dealwatch.alerts.models import AlertDelivery
from dealwatch.flip.images import hash_distance, informative
from dealwatch.flip.matching import model_numbers, normalise_title
from dealwatch.flip.models import CrossPost, Listing, ListingImage
from dealwatch.settings import CrossPostSettings


@dataclass(frozen=True, slots=True)
class PostMatch:
    """Why two listings are one item: title similarity (0-1), price gap (share), photo hash distance."""

    listing_id: int
    title_similarity: float
    price_gap: float | None
    image_distance: int


def _hashes(session: Session, listing_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(ListingImage.listing_id, ListingImage.dhash).where(
            ListingImage.listing_id.in_(listing_ids), ListingImage.dhash.is_not(None)
        )
    )
    for listing_id, dhash in rows:
        if dhash is not None and informative(dhash):
            found.setdefault(listing_id, []).append(dhash)
    return found


def _price_gap(a: Decimal | None, b: Decimal | None) -> float | None:
    if a is None or b is None or max(a, b) <= 0:
        return None
    return float(abs(a - b) / max(a, b))


def find_matches(session: Session, listing: Listing, rules: CrossPostSettings) -> list[PostMatch]:
    """Listings on other marketplaces that are the same item as `listing`, closest first."""
    mine = _hashes(session, [listing.id]).get(listing.id)
    if not mine:
        return []
    query = (
        select(Listing)
        .where(
            Listing.id != listing.id,
            Listing.marketplace != listing.marketplace,
            Listing.currency == listing.currency,
            Listing.status == "active",
            Listing.id.in_(select(ListingImage.listing_id).where(ListingImage.dhash.is_not(None))),
        )
        .order_by(Listing.last_seen_at.desc(), Listing.id)
        .limit(rules.max_candidates)
    )
    if listing.price is not None and listing.price > 0:
        # |a - b| / max(a, b) <= gap  <=>  b in [a (1 - gap), a / (1 - gap)]
        low = listing.price * Decimal(str(1 - rules.max_price_gap))
        query = query.where(Listing.price >= low)
        if rules.max_price_gap < 1:
            query = query.where(Listing.price <= listing.price / Decimal(str(1 - rules.max_price_gap)))
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    scores = process.cdist(
        [normalise_title(listing.title)],
        [normalise_title(c.title) for c in candidates],
        scorer=fuzz.token_set_ratio,
        processor=None,
    )[0]
    my_models = set(model_numbers(listing.title))
    alike = [
        (candidate, float(score) / 100)
        for candidate, score in zip(candidates, scores, strict=True)
        if score / 100 >= rules.min_title_similarity and not _other_model(my_models, candidate.title)
    ]
    if not alike:
        return []
    hashes = _hashes(session, [c.id for c, _ in alike])
    matches = []
    for candidate, similarity in alike:
        distances = [hash_distance(a, b) for a in mine for b in hashes.get(candidate.id, [])]
        if distances and min(distances) <= rules.max_image_distance:
            gap = _price_gap(listing.price, candidate.price)
            matches.append(PostMatch(candidate.id, round(similarity, 3), gap, min(distances)))
    return sorted(matches, key=lambda m: (m.image_distance, -m.title_similarity, m.listing_id))


def _other_model(mine: set[str], title: str) -> bool:
    """Both name model numbers, and none in common: two different items."""
    theirs = set(model_numbers(title)) if mine else set()
    return bool(theirs) and not mine & theirs


def link_cross_posts(
    session: Session, listing_id: int, rules: CrossPostSettings, now: datetime
) -> list[PostMatch]:
    """Find the listing's other posts and put them all in one group (merging groups); returns the matches."""
    listing = session.get(Listing, listing_id)
    if listing is None:
        return []
    matches = find_matches(session, listing, rules)
    if not matches:
        return []
    ids = [listing_id, *(m.listing_id for m in matches)]
    rows = {
        row.listing_id: row for row in session.scalars(select(CrossPost).where(CrossPost.listing_id.in_(ids)))
    }
    groups = {row.group_id for row in rows.values()}
    group_id = min(groups | set(ids))
    if groups - {group_id}:
        session.execute(
            update(CrossPost).where(CrossPost.group_id.in_(groups - {group_id})).values(group_id=group_id)
        )
    best = matches[0]
    for match in matches:
        if match.listing_id not in rows:
            session.add(_row(match.listing_id, group_id, listing_id, match, now))
    if listing_id not in rows:
        session.add(_row(listing_id, group_id, best.listing_id, best, now))
    session.flush()
    return matches


def _row(listing_id: int, group_id: int, matched: int, match: PostMatch, now: datetime) -> CrossPost:
    return CrossPost(
        listing_id=listing_id,
        group_id=group_id,
        matched_listing_id=matched,
        title_similarity=match.title_similarity,
        price_gap=match.price_gap,
        image_distance=match.image_distance,
        linked_at=now,
    )


def other_posts(session: Session, listing_ids: Sequence[int]) -> dict[int, list[Listing]]:
    """For each listing, the other listings of its cross-post group (none when it has no group)."""
    own = dict(
        session.execute(
            select(CrossPost.listing_id, CrossPost.group_id).where(CrossPost.listing_id.in_(listing_ids))
        ).all()
    )
    if not own:
        return {}
    members = session.execute(
        select(CrossPost.group_id, Listing)
        .join(Listing, Listing.id == CrossPost.listing_id)
        .where(CrossPost.group_id.in_(set(own.values())))
        .order_by(Listing.id)
    ).all()
    by_group: dict[int, list[Listing]] = {}
    for group_id, member in members:
        by_group.setdefault(group_id, []).append(member)
    return {
        listing_id: [m for m in by_group.get(group_id, []) if m.id != listing_id]
        for listing_id, group_id in own.items()
    }


def alerted_elsewhere(session: Session, listing_id: int) -> int | None:
    """The id of another post of the same item that was already alerted, if any."""
    others = [other.id for other in other_posts(session, [listing_id]).get(listing_id, [])]
    if not others:
        return None
    return session.scalar(
        select(AlertDelivery.listing_id)
        .where(AlertDelivery.listing_id.in_(others), AlertDelivery.status == "sent")
        .order_by(AlertDelivery.id)
        .limit(1)
    )
