"""The pipeline: the only module that chains stages.

Daily promo pass, per store: fetch (starting at the store's learned tier) ► snapshot ► detect
(a person's decided review wins; an unsure verdict is queued for review) ► record the day ► score
past forecasts against the sales seen ► forecast the next sale.
Marketplace scan, per saved search: fetch the search page (starting at the adapter's tier) ►
snapshot ► parse with the marketplace adapter ► record listings (new, seen again, price drops);
listings unseen for 7 days expire. Then each new or cheaper listing: photos (downloaded a window of
listings ahead into the blob store; read by OCR only when the title names no model number) ► cross-post
links to the same item on other marketplaces ► sold comps (cached 24 h) ► valuation ► profit ► score ►
route, stored as an opportunity; high-value finds are alerted once per physical item (again on a price
drop).
Every store ends the pass with one recorded outcome; one store's failure never stops the others.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.alerts.notify import alert
from dealwatch.core.clock import today
from dealwatch.core.errors import NotFound
from dealwatch.core.ids import content_hash
from dealwatch.fetch.base import FetchRequest, FetchResult, Outcome
from dealwatch.fetch.learning import last_validators, record_trials, start_tier
from dealwatch.fetch.models import FetchAttempt
from dealwatch.flip.crossposts import alerted_elsewhere, link_cross_posts
from dealwatch.flip.images import OK, Photo, downloaded_urls, record_photos
from dealwatch.flip.listing import BlockedPage, ListingDraft, Unparseable
from dealwatch.flip.listings import expire_listings, record_page
from dealwatch.flip.marketplaces.base import Marketplace, marketplaces
from dealwatch.flip.models import Listing, ListingImage, Opportunity, Search
from dealwatch.flip.ocr import (
    PhotoText,
    Reading,
    listing_photo_text,
    needs_ocr,
    photos_to_read,
    read_contents,
    read_stored,
    save_reading,
)
from dealwatch.flip.opportunities import assess, draft_of, high_value_alert, save_assessment, with_llm
from dealwatch.flip.searches import list_searches, search_spec
from dealwatch.promo.detect.base import Detection, Page, StoreHints
from dealwatch.promo.forecast import save_prediction, score_predictions
from dealwatch.promo.forecast_prior import StorePrior, pooled_prior
from dealwatch.promo.history import daily_flags, last_known_detection, record_day
from dealwatch.promo.models import Store
from dealwatch.promo.review import human_verdict, queue_review
from dealwatch.promo.stores import stores_for_pass
from dealwatch.services import Services
from dealwatch.snapshots.store import save_snapshot

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class StoreDay:
    """How one store's daily pass ended."""

    store_id: str
    outcome: str
    has_promotion: bool | None
    tier: str | None = None
    reason: str | None = None
    parse_error: bool = False


@dataclass
class RunSummary:
    """What a daily pass did."""

    day: date
    stores: list[StoreDay] = field(default_factory=list)
    seconds: float = 0.0
    cost: Decimal = Decimal(0)

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(s.outcome for s in self.stores)

    @property
    def on_sale(self) -> int:
        return sum(1 for s in self.stores if s.has_promotion)

    @property
    def unknown(self) -> int:
        return sum(1 for s in self.stores if s.has_promotion is None)

    @property
    def parse_errors(self) -> int:
        return sum(1 for s in self.stores if s.parse_error)


async def run_daily(
    services: Services,
    day: date | None = None,
    *,
    store_ids: Sequence[str] | None = None,
    on_store_done: Callable[[StoreDay], None] | None = None,
) -> RunSummary:
    """One daily pass over the enabled stores (or the given ones)."""
    day = day or today(services.clock)
    with services.sessions() as session:
        stores = stores_for_pass(session, store_ids)
        pooled = pooled_prior(session, day - timedelta(days=1))  # every store's flags to yesterday, one query
    started = time.perf_counter()
    summary = RunSummary(day=day)

    async def one(store: Store) -> StoreDay:
        result = await _fetch_store(services, store)
        prior = pooled.for_store(store.id, store.category, store.country)
        store_day = _process_store(services, store, result, day, prior)
        summary.cost += result.cost
        if on_store_done is not None:
            on_store_done(store_day)
        return store_day

    summary.stores = await services.runner.map(one, stores)
    summary.seconds = time.perf_counter() - started
    log.info("daily pass done", day=str(day), stores=len(stores), outcomes=dict(summary.outcomes))
    return summary


async def _fetch_store(services: Services, store: Store) -> FetchResult:
    settings = services.settings.fetch
    with services.sessions() as session:
        first_tier = start_tier(
            session,
            store.id,
            services.fetcher.names,
            window=settings.learn_window,
            threshold=settings.escalate_below,
            now=services.clock.now(),
        )
        etag, last_modified = last_validators(session, store.id)
    request = FetchRequest(
        url=store.url,
        source=store.id,
        user_agent=store.user_agent,
        etag=etag,
        last_modified=last_modified,
        start_tier=first_tier,
        banner_selectors=tuple(store.selectors.values()),
    )
    try:
        return await services.fetcher.fetch(request)
    except Exception as exc:  # a fetcher bug must not stop the other stores
        log.exception("fetch crashed", store=store.id)
        return FetchResult(
            url=store.url,
            outcome=Outcome.FAILED,
            tier="none",
            fetched_at=services.clock.now(),
            reason=f"internal error: {type(exc).__name__}: {exc}",
        )


def _process_store(
    services: Services, store: Store, result: FetchResult, day: date, prior: StorePrior | None = None
) -> StoreDay:
    """Detect, then snapshot, record and forecast one store in one transaction.

    Detection runs before the transaction opens: the llm tier writes its spend to the database as it
    goes, which an open write transaction would hold up (SQLite has one writer at a time).
    """
    try:
        detected = _detect(services, store, result, day)
        with services.sessions.begin() as session:
            store_day = _record(services, session, store, result, day, detected)
            flags = daily_flags(session, store.id, day)
            score_predictions(session, store.id, flags)
            forecast = services.forecaster.forecast(flags, day, prior)
            save_prediction(session, store.id, forecast, day, services.clock)
            return store_day
    except Exception as exc:  # the store's day is lost, not the run
        log.exception("store pass crashed", store=store.id)
        return StoreDay(store.id, Outcome.FAILED, None, reason=f"internal error: {type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class _Detected:
    """What the cascade made of a fetched page (nothing when the fetch brought no page)."""

    page: Page | None = None
    detection: Detection | None = None
    error: str | None = None  # the page could not be judged


def _detect(services: Services, store: Store, result: FetchResult, day: date) -> _Detected:
    if not result.ok:
        return _Detected()
    page = Page(
        url=result.final_url or result.url,
        html=result.text(),
        hints=StoreHints(dict(store.selectors)),
        day=day,
    )
    try:
        return _Detected(page, services.detector.detect(page))
    except Exception as exc:  # the page is kept (snapshot) and marked; the day stays unknown
        log.warning("page failed to parse", store=store.id, error=str(exc))
        return _Detected(page, error=f"parse error: {type(exc).__name__}: {exc}")


def _record(
    services: Services, session: Session, store: Store, result: FetchResult, day: date, detected: _Detected
) -> StoreDay:
    snapshot_id = _snapshot(services, session, result, store.id)
    _record_attempts(session, store.id, result, snapshot_id)
    record_trials(session, store.id, result)
    db_store = session.get(Store, store.id)
    if db_store is not None:
        db_store.last_fetched_at = result.fetched_at

    detection = detected.detection
    note = detected.error or result.reason
    if detected.page is not None:
        if (person := human_verdict(session, store.id, day)) is not None:
            detection = person  # a person already decided this day: their answer stands
        elif detection is not None and detection.review:
            queue_review(
                session,
                store_id=store.id,
                day=day,
                url=detected.page.url,
                detection=detection,
                snapshot_id=snapshot_id,
                clock=services.clock,
            )
    elif result.outcome is Outcome.NOT_MODIFIED:
        detection = last_known_detection(session, store.id, before=day)
        note = "not modified; previous detection reused" if detection else "not modified; nothing to reuse"

    row = record_day(
        session,
        store_id=store.id,
        day=day,
        fetch_outcome=result.outcome.value,
        clock=services.clock,
        detection=detection,
        snapshot_id=snapshot_id,
        note=note,
    )
    return StoreDay(
        store.id, result.outcome.value, row.has_promotion, row.tier, note, detected.error is not None
    )


def _snapshot(services: Services, session: Session, result: FetchResult, source: str) -> int | None:
    """Keep a fetched page in the blob store (content-addressed); None when nothing was fetched."""
    if not result.ok:
        return None
    snapshot = save_snapshot(
        session,
        services.blobs,
        content=result.content,
        source=source,
        url=result.final_url or result.url,
        tier=result.tier,
        content_type=result.content_type,
        fetched_at=result.fetched_at,
    )
    return snapshot.id


def _record_attempts(session: Session, source: str, result: FetchResult, snapshot_id: int | None) -> None:
    last = len(result.attempts) - 1
    for index, attempt in enumerate(result.attempts):
        session.add(
            FetchAttempt(
                source=source,
                url=result.url,
                tier=attempt.tier,
                attempt=attempt.number,
                started_at=attempt.started_at,
                duration_ms=attempt.duration_ms,
                http_status=attempt.http_status,
                bytes=attempt.bytes,
                cost=attempt.cost,
                outcome=attempt.outcome.value,
                reason=attempt.reason,
                snapshot_id=snapshot_id if index == last else None,
                etag=result.etag if index == last and result.ok else None,
                last_modified=result.last_modified if index == last and result.ok else None,
            )
        )
    if not result.attempts:  # decided before any request (e.g. robots.txt)
        session.add(
            FetchAttempt(
                source=source,
                url=result.url,
                tier=result.tier,
                attempt=0,
                started_at=result.fetched_at,
                duration_ms=0,
                outcome=result.outcome.value,
                reason=result.reason,
            )
        )


@dataclass(frozen=True, slots=True)
class SearchScan:
    """How one saved search's scan ended: the fetch outcome and what the page held."""

    search_id: str
    outcome: str  # ok | blocked | failed | robots_disallowed | parse_error
    new: int = 0
    seen_again: int = 0
    price_drops: int = 0
    filtered: int = 0
    failures: int = 0
    reason: str | None = None
    new_ids: tuple[int, ...] = ()
    dropped_ids: tuple[int, ...] = ()


async def run_scan(
    services: Services, search_ids: Sequence[str] | None = None, *, analyze: bool = True
) -> list[SearchScan]:
    """Scan the enabled saved searches (or the given ones): fetch ► snapshot ► parse ► record listings,
    then analyze the new and cheaper listings."""
    with services.sessions() as session:
        searches = list_searches(session, enabled_only=search_ids is None)
    if search_ids is not None:
        wanted_ids = set(search_ids)
        unknown = wanted_ids - {s.id for s in searches}
        if unknown:
            raise NotFound(f"no search with id {', '.join(sorted(unknown))}")
        searches = [s for s in searches if s.id in wanted_ids]

    async def one(search: Search) -> SearchScan:
        spec = search_spec(search)
        adapter = marketplaces.build(search.marketplace)
        url = spec.search_url()
        tier = adapter.fetch_tier if adapter.fetch_tier in services.fetcher.names else None
        try:
            result = await services.fetcher.fetch(
                FetchRequest(url=url, source=f"search:{search.id}", start_tier=tier)
            )
        except Exception as exc:  # a fetcher bug must not stop the other searches
            log.exception("search fetch crashed", search=search.id)
            return SearchScan(search.id, Outcome.FAILED.value, reason=f"internal error: {exc}")
        return _record_scan(services, search.id, adapter, result)

    scans = await services.runner.map(one, searches)
    with services.sessions.begin() as session:
        expired = expire_listings(session, services.clock.now())
    log.info("scan done", searches=len(searches), expired=expired)
    if analyze:
        await analyze_listings(services, [i for s in scans for i in (*s.new_ids, *s.dropped_ids)])
    return scans


@dataclass(frozen=True, slots=True)
class ListingVerdict:
    """How one listing was judged: its opportunity, route and score, and whether an alert went out."""

    listing_id: int
    opportunity_id: int
    route: str
    score: float
    alerted: bool


async def analyze_listings(services: Services, listing_ids: Sequence[int]) -> list[ListingVerdict]:
    """Photos ► cross-posts ► comps ► valuation ► profit ► score ► route for each listing, stored as an
    opportunity; high-value finds are alerted at once (once per physical item and price)."""
    ids = list(dict.fromkeys(listing_ids))
    # Photos download up to two windows of listings ahead of the one being judged: never a whole big
    # batch in memory at once.
    ahead = 2 * services.settings.flip.images.concurrency
    ocr_slots = asyncio.Semaphore(os.cpu_count() or 1)
    downloads = _start_photo_downloads(services, ids[:ahead], ocr_slots)
    verdicts = []
    try:
        for position, listing_id in enumerate(ids):
            if position % ahead == 0:
                downloads.update(
                    _start_photo_downloads(services, ids[position + ahead : position + 2 * ahead], ocr_slots)
                )
            with services.sessions() as session:
                row = session.get(Listing, listing_id)
                if row is None:
                    continue
                draft = draft_of(row)
            photo = await _look_at_photos(services, listing_id, draft, downloads.pop(listing_id, None))
            now = services.clock.now()
            # A model number read from a photo is the sharpest comps query when the title has none.
            query = photo.hint if photo.hint and needs_ocr(draft.title) else draft.title
            sold = await services.comps.sold(query, now)
            assessment = assess(draft, sold, services.fees, services.flip, now, photo_hint=photo.hint)
            if services.llm is not None:
                assessment = await with_llm(
                    services.llm, draft, assessment, services.flip, photo_text=photo.text or None
                )
            with services.sessions.begin() as session:
                opportunity = save_assessment(session, listing_id, assessment, now)
                if photo.read:
                    opportunity.details = {
                        **opportunity.details,
                        "photos": {
                            "models": list(photo.models),
                            "brands": list(photo.brands),
                            "query": query,
                        },
                    }
                alerted = _alert_if_high_value(services, session, draft, opportunity, listing_id)
                verdicts.append(
                    ListingVerdict(listing_id, opportunity.id, assessment.route, opportunity.score, alerted)
                )
    finally:
        for _, task in downloads.values():
            task.cancel()
    return verdicts


_Photos = tuple[list[Photo], dict[str, Reading]]  # the downloads, and what OCR read ahead (by content hash)
_Download = tuple[list[str], "asyncio.Task[_Photos]"]


def _start_photo_downloads(
    services: Services, ids: Sequence[int], ocr_slots: asyncio.Semaphore
) -> dict[int, _Download]:
    """Start downloading the listings' photos not stored yet (in flight as the fetcher allows), and reading
    those of listings whose title names no model number: by the time a listing is judged, its photos
    are usually in and read."""
    if services.photos is None or not ids:
        return {}
    with services.sessions() as session:
        rows = session.execute(
            select(Listing.id, Listing.image_urls, Listing.title, Listing.price).where(Listing.id.in_(ids))
        ).all()
        stored = downloaded_urls(session, ids)
    found = {row.id: row for row in rows}
    limit = services.settings.flip.images.max_per_listing
    downloads: dict[int, _Download] = {}
    for listing_id in ids:
        if (row := found.get(listing_id)) is None:
            continue
        wanted = list(dict.fromkeys(row.image_urls or []))[:limit]
        todo = [url for url in wanted if url not in stored.get(listing_id, set())]
        if todo:
            read = row.price is not None and needs_ocr(row.title)
            task = asyncio.create_task(_fetch_photos(services, todo, read, ocr_slots))
            downloads[listing_id] = (wanted, task)
    return downloads


async def _fetch_photos(
    services: Services, urls: list[str], read: bool, ocr_slots: asyncio.Semaphore
) -> _Photos:
    """Download photos and, when `read`, OCR the first of them at once (one Tesseract per core)."""
    assert services.photos is not None
    photos = await services.photos.fetch_all(urls)
    first = [p for p in photos if p.status == OK][: services.settings.flip.images.ocr_max_images]
    if not read or services.ocr is None or not first:
        return photos, {}
    async with ocr_slots:
        readings = await asyncio.to_thread(read_contents, services.ocr, [p.content for p in first])
    return photos, {content_hash(p.content): reading for p, reading in zip(first, readings, strict=True)}


async def _look_at_photos(
    services: Services, listing_id: int, draft: ListingDraft, download: _Download | None
) -> PhotoText:
    """Record the listing's photos, read them when the title names no model number, link its cross-posts;
    returns what OCR read in them."""
    now = services.clock.now()
    read_ahead: dict[str, Reading] = {}
    if download is not None:
        wanted, task = download
        photos, read_ahead = await task
        with services.sessions.begin() as session:
            record_photos(session, services.blobs, listing_id, wanted, photos, now)
    flip = services.settings.flip
    if services.ocr is not None and draft.price is not None and needs_ocr(draft.title):
        with services.sessions.begin() as session:
            todo = []
            for row in photos_to_read(session, listing_id, flip.images.ocr_max_images):
                if (ahead := read_ahead.get(row.content_hash or "")) is not None:
                    save_reading(row, *ahead)
                else:
                    todo.append((row.id, row.blob_key or ""))
        if todo:
            readings = await asyncio.to_thread(read_stored, services.ocr, services.blobs, todo)
            with services.sessions.begin() as session:
                for image_id, text, failure in readings:
                    image = session.get(ListingImage, image_id)
                    if image is not None:
                        save_reading(image, text, failure)
    with services.sessions.begin() as session:
        if services.photos is not None and flip.cross_posts.enabled:
            link_cross_posts(session, listing_id, flip.cross_posts, now)
        return listing_photo_text(session, listing_id)


def _alert_if_high_value(
    services: Services, session: Session, draft: ListingDraft, opportunity: Opportunity, listing_id: int
) -> bool:
    rules = services.settings.alerts
    profit = opportunity.net_profit
    if opportunity.score < rules.min_score or profit is None or profit < rules.min_profit:
        return False
    if (other := alerted_elsewhere(session, listing_id)) is not None:
        log.info(
            "not alerted: the same item was alerted on another marketplace", listing=listing_id, post=other
        )
        return False
    message = high_value_alert(draft, opportunity, listing_id)
    return bool(alert(session, services.notifier, message, services.clock))


def _record_scan(services: Services, search_id: str, adapter: Marketplace, result: FetchResult) -> SearchScan:
    """Snapshot the page, read it and store its listings in one transaction."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        snapshot_id = _snapshot(services, session, result, f"search_{search_id}")
        _record_attempts(session, f"search:{search_id}", result, snapshot_id)
        if not result.ok:
            return SearchScan(search_id, result.outcome.value, reason=result.reason)
        try:
            page = adapter.parse_search(result.text(), result.final_url or result.url, now)
        except Unparseable as exc:  # the page is kept (snapshot); the scan says why it could not be read
            outcome = Outcome.BLOCKED.value if isinstance(exc, BlockedPage) else "parse_error"
            return SearchScan(search_id, outcome, reason=str(exc))
        if page.blocked:
            return SearchScan(search_id, Outcome.BLOCKED.value, reason=page.blocked)
        search = session.get(Search, search_id)
        assert search is not None
        search.last_scanned_at = now
        done = record_page(session, search, page, now)
        return SearchScan(
            search_id,
            Outcome.OK.value,
            dropped_ids=tuple(done.price_drops),
            new=done.new,
            seen_again=done.seen_again,
            price_drops=len(done.price_drops),
            filtered=done.filtered,
            failures=done.failures,
            new_ids=tuple(done.new_ids),
        )
