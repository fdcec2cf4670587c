"""Photos, OCR and cross-posts in the flip pipeline, on both databases: listings recorded from search
pages ► their photos downloaded from a loopback image host ► OCR (real Tesseract) ► cross-post links ►
comps ► valuation ► opportunity ► alert (once per physical item) ► API."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from photos import ImageHost, encoded, photo
from sqlalchemy import select

from dealwatch.alerts.models import AlertDelivery
from dealwatch.core.clock import FrozenClock
from dealwatch.core.money import Money
from dealwatch.flip.comps import SoldItems
from dealwatch.flip.crossposts import other_posts
from dealwatch.flip.listing import ListingDraft, SearchPage
from dealwatch.flip.listings import record_page
from dealwatch.flip.models import CrossPost, Listing, ListingImage, Opportunity, Search
from dealwatch.flip.searches import parse_search, save_searches
from dealwatch.pipeline import analyze_listings
from dealwatch.services import Services, build_services
from dealwatch.settings import AlertSettings, Settings
from dealwatch.testing import LoopbackServer
from dealwatch.web.app import create_app

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
SOLD = [
    *(("Sony WH-1000XM4 Wireless Noise Cancelling Headphones", p) for p in ("235", "248", "255", "262")),
    *(("Sony WH-1000XM3 Wireless Noise Cancelling Headphones Black", p) for p in ("120", "128", "135")),
    *(("Sony WH-CH520 wireless headphones", p) for p in ("28", "32", "35")),
]


class SoldSearch:
    """A comps source answering every query with the same sold headphones, and noting each query."""

    name = "sold_headphones"

    def __init__(self) -> None:
        self.queries: list[str] = []

    async def sold(self, query: str, now: datetime) -> SoldItems:
        self.queries.append(query)
        items = tuple(
            ListingDraft(
                marketplace="ebay",
                external_id=f"sold{i}",
                title=title,
                url=f"https://www.ebay.com/itm/{i}",
                price=Money(Decimal(price), "USD"),
                condition="Pre-owned",
                sold=True,
                sold_at=now - timedelta(days=2 + i),
            )
            for i, (title, price) in enumerate(SOLD)
        )
        return SoldItems(query, "ok", items, fetched_at=now)


@pytest.fixture(scope="module")
def host() -> Iterator[tuple[ImageHost, str]]:
    images = ImageHost()
    images.files.update(
        {
            "/cl/xm4.png": ("image/png", encoded(photo(1, "SONY WH-1000XM4"))),
            # The same photo as OfferUp serves it: re-encoded, smaller.
            "/ou/xm4.jpg": ("image/jpeg", encoded(photo(1, "SONY WH-1000XM4"), "JPEG", 0.75, 75)),
            "/ou/other.jpg": ("image/jpeg", encoded(photo(2, "SONY WH-1000XM4"), "JPEG")),
            "/fb/dresser.jpg": ("image/jpeg", encoded(photo(1, "SONY WH-1000XM4"), "JPEG")),
            "/cl/page.html": ("text/html", b"<html>a page, not a photo</html>"),
            "/cl/huge.png": ("image/png", b"\x89PNG" + bytes(400_000)),
        }
    )
    with LoopbackServer(images.app) as server:
        yield images, server.url


def _services(settings: Settings, **images: object) -> Services:
    flip = settings.flip.model_copy(
        update={"images": settings.flip.images.model_copy(update={"max_bytes": 300_000, **images})}
    )
    alerts = AlertSettings(min_score=0, min_profit=10)
    made = build_services(settings.model_copy(update={"flip": flip, "alerts": alerts}), FrozenClock(NOW))
    made.comps = SoldSearch()
    return made


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    made = _services(settings, ocr=False)
    yield made
    await made.aclose()


def _record(services: Services, drafts: list[ListingDraft]) -> dict[str, int]:
    """Store the drafts as their marketplaces' search pages showed them; returns ids by external id."""
    ids = {}
    for marketplace in dict.fromkeys(d.marketplace for d in drafts):
        spec = parse_search({"marketplace": marketplace, "query": "sony headphones"})
        with services.sessions.begin() as session:
            save_searches(session, [spec], services.clock)
            search = session.get(Search, spec.search_id)
            assert search is not None
            page = SearchPage(
                marketplace, "https://example.test/", tuple(d for d in drafts if d.marketplace == marketplace)
            )
            done = record_page(session, search, page, services.clock.now())
            for listing_id in done.new_ids:
                row = session.get(Listing, listing_id)
                assert row is not None
                ids[row.external_id] = listing_id
    return ids


def _draft(marketplace: str, external_id: str, title: str, price: str, *images: str) -> ListingDraft:
    return ListingDraft(
        marketplace=marketplace,
        external_id=external_id,
        title=title,
        url=f"https://{marketplace}.example/{external_id}",
        price=Money(Decimal(price), "USD"),
        condition="used",
        image_urls=images,
    )


async def test_one_item_on_two_marketplaces_is_linked_and_alerted_once(
    services: Services, settings: Settings, host: tuple[ImageHost, str]
) -> None:
    _, url = host
    ids = _record(
        services,
        [
            _draft(
                "craigslist", "cl1", "Sony WH-1000XM4 noise cancelling headphones", "120", f"{url}/cl/xm4.png"
            ),
            _draft(
                "offerup",
                "ou1",
                "SONY WH1000XM4 Wireless Noise Canceling Headphones - like new",
                "110",
                f"{url}/ou/xm4.jpg",
            ),
            # Same model, same price, but another seller's photo: another item.
            _draft(
                "offerup", "ou2", "Sony WH-1000XM4 noise cancelling headphones", "120", f"{url}/ou/other.jpg"
            ),
            # The same photo under an unrelated title (a reused picture): not the same item.
            _draft("facebook", "fb1", "Solid oak dresser, 6 drawers", "115", f"{url}/fb/dresser.jpg"),
            # Every photo fails: recorded, and the listing is judged all the same.
            _draft(
                "craigslist",
                "cl2",
                "Sony WH-1000XM4 headphones",
                "100",
                f"{url}/cl/missing.png",
                f"{url}/cl/huge.png",
                f"{url}/cl/page.html",
            ),
        ],
    )
    verdicts = await analyze_listings(services, list(ids.values()))
    assert len(verdicts) == 5  # every listing judged, failed photos or not
    with services.sessions() as session:
        groups = {row.listing_id: row.group_id for row in session.scalars(select(CrossPost))}
        assert groups == {ids["cl1"]: ids["cl1"], ids["ou1"]: ids["cl1"]}
        link = session.scalar(select(CrossPost).where(CrossPost.listing_id == ids["ou1"]))
        assert link is not None and link.matched_listing_id == ids["cl1"]
        assert link.image_distance is not None and link.image_distance <= 4 and link.title_similarity >= 0.6
        assert [p.id for p in other_posts(session, [ids["cl1"]])[ids["cl1"]]] == [ids["ou1"]]
        failed = {
            r.url.rsplit("/", 1)[1]: (r.status, r.reason)
            for r in session.scalars(select(ListingImage).where(ListingImage.listing_id == ids["cl2"]))
        }
        assert failed == {
            "missing.png": ("failed", "HTTP 404"),
            "huge.png": ("too_large", "larger than 300000 bytes"),
            "page.html": ("not_image", "content type text/html"),
        }
        alerted = set(session.scalars(select(AlertDelivery.listing_id).where(AlertDelivery.status == "sent")))
        # cl1 and ou1 are one headset: alerted once; ou2 and cl2 are other headsets, each alerted.
        assert alerted == {ids["cl1"], ids["ou2"], ids["cl2"]}
        opportunity = session.scalar(select(Opportunity.id).where(Opportunity.listing_id == ids["cl1"]))

    again = await analyze_listings(services, [ids["ou1"]])  # re-judging changes nothing
    assert not again[0].alerted
    with services.sessions() as session:
        assert len(list(session.scalars(select(CrossPost)))) == 2

    app = create_app(settings, FrozenClock(NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        detail = (await client.get(f"/v1/opportunities/{opportunity}")).json()
        assert [(p["marketplace"], p["id"]) for p in detail["other_posts"]] == [("offerup", ids["ou1"])]
        listings = (await client.get("/v1/listings", params={"marketplace": "offerup"})).json()["listings"]
        posts = {row["external_id"]: [p["id"] for p in row["other_posts"]] for row in listings}
        assert posts == {"ou1": [ids["cl1"]], "ou2": []}


@pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt-get install tesseract-ocr): the OCR tier is optional",
)
async def test_a_model_number_read_from_the_photo_drives_the_comps_query_and_valuation(
    settings: Settings, host: tuple[ImageHost, str]
) -> None:
    _, url = host
    services = _services(settings)
    try:
        assert services.ocr is not None
        reads: list[int] = []
        tesseract_read = services.ocr.read
        services.ocr.read = lambda content: reads.append(len(content)) or tesseract_read(content)  # type: ignore[method-assign]
        ids = _record(
            services,
            [
                _draft(
                    "craigslist",
                    "vague",
                    "Sony wireless noise cancelling headphones",
                    "120",
                    f"{url}/cl/xm4.png",
                ),
                _draft("offerup", "named", "Sony WH-1000XM4 headphones", "120", f"{url}/ou/other.jpg"),
            ],
        )
        await analyze_listings(services, [ids["vague"], ids["named"]])
        comps = services.comps
        assert isinstance(comps, SoldSearch)
        # The vague title is searched by the model number in its photo; the named one needs no OCR.
        assert comps.queries == ["Sony WH-1000XM4", "Sony WH-1000XM4 headphones"]
        assert len(reads) == 1  # read once, as it downloaded; never again from the stored copy
        with services.sessions() as session:
            read = session.scalars(select(ListingImage).where(ListingImage.listing_id == ids["vague"])).one()
            assert (
                read.ocr_status == "done"
                and read.ocr_models == ["WH-1000XM4"]
                and read.ocr_brands == ["Sony"]
            )
            unread = session.scalars(
                select(ListingImage).where(ListingImage.listing_id == ids["named"])
            ).one()
            assert unread.ocr_status is None
            found = session.scalar(select(Opportunity).where(Opportunity.listing_id == ids["vague"]))
            assert found is not None and found.details["valuation_method"] == "model number"
            assert found.n_comps == 4 and found.estimate is not None and 235 <= found.estimate <= 262
            assert found.details["photos"]["models"] == ["WH-1000XM4"]
    finally:
        await services.aclose()
