"""Listing photos: real PNG/JPEG bytes from a loopback host ► checks ► blob store ► one row per photo,
on both databases; 404, oversize, non-image and SSRF-refused photos are recorded, never raised."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from photos import ImageHost, encoded, photo
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.flip.images import (
    PhotoFetcher,
    downloaded_urls,
    hash_distance,
    informative,
    inspect_image,
    record_photos,
)
from dealwatch.flip.models import Listing, ListingImage
from dealwatch.settings import FlipImageSettings, Settings
from dealwatch.snapshots.store import BlobStore
from dealwatch.testing import LoopbackServer

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def host() -> Iterator[tuple[ImageHost, str]]:
    images = ImageHost()
    with LoopbackServer(images.app) as server:
        yield images, server.url


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[PhotoFetcher]:
    made = PhotoFetcher(settings.fetch, FlipImageSettings(max_bytes=300_000, max_per_listing=6))
    yield made
    await made.aclose()


def _listing(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        row = Listing(
            marketplace="craigslist",
            external_id="1",
            title="Sony headphones",
            url="https://sfbay.craigslist.org/1.html",
            currency="USD",
            first_seen_at=NOW,
            last_seen_at=NOW,
            expires_at=NOW,
            status="active",
        )
        session.add(row)
        session.flush()
        return row.id


async def test_photos_are_checked_stored_by_content_and_every_failure_recorded(
    settings: Settings,
    sessions: sessionmaker[Session],
    host: tuple[ImageHost, str],
    fetcher: PhotoFetcher,
) -> None:
    images, url = host
    png = encoded(photo(1, "WH-1000XM4"))
    noise = Image.frombytes("RGB", (400, 400), random.Random(2).randbytes(400 * 400 * 3))
    images.files.update(
        {
            "/a.png": ("image/png", png),
            "/a.jpg": ("image/jpeg", encoded(photo(1, "WH-1000XM4"), "JPEG", 0.8, 70)),
            "/huge.png": ("image/png", encoded(noise)),  # noise does not compress: ~480 KB
            "/page.html": ("text/html", b"<html>not a photo</html>"),
            "/fake.jpg": ("image/jpeg", b"GIF89a but not really an image"),
        }
    )
    assert len(images.files["/huge.png"][1]) > 300_000
    urls = [
        f"{url}/a.png",
        f"{url}/a.jpg",
        f"{url}/missing.png",
        f"{url}/huge.png",
        f"{url}/page.html",
        f"{url}/fake.jpg",
    ]
    refused = FlipImageSettings(max_per_listing=1)
    guarded = PhotoFetcher(settings.fetch.model_copy(update={"allowed_networks": []}), refused)
    try:
        [metadata] = await guarded.fetch_all(["http://169.254.169.254/latest/meta-data/x.jpg", *urls])
    finally:
        await guarded.aclose()
    assert metadata.status == "blocked" and "SSRF" in (metadata.reason or "")

    photos = await fetcher.fetch_all(urls)
    statuses = {p.url.rsplit("/", 1)[1]: p.status for p in photos}
    assert statuses == {
        "a.png": "ok",
        "a.jpg": "ok",
        "missing.png": "failed",
        "huge.png": "too_large",
        "page.html": "not_image",
        "fake.jpg": "not_image",
    }
    blobs = BlobStore(settings.resolved_blob_url)
    listing_id = _listing(sessions)
    with sessions.begin() as session:
        record_photos(session, blobs, listing_id, urls, photos, NOW)
    with sessions.begin() as session:  # recording again changes nothing (one row per listing and URL)
        record_photos(session, blobs, listing_id, urls, photos, NOW)
    with sessions() as session:
        rows = list(session.scalars(select(ListingImage).order_by(ListingImage.position)))
        assert [r.position for r in rows] == [0, 1, 2, 3, 4, 5]
        first = rows[0]
        assert first.status == "ok" and (first.width, first.height) == (640, 480)
        assert first.blob_key == f"images/{first.content_hash[:2]}/{first.content_hash}.png"  # type: ignore[index]
        assert blobs.get(first.blob_key or "") == png  # the very bytes, content-addressed
        assert rows[2].http_status == 404 and rows[2].reason == "HTTP 404"
        assert rows[3].reason == "larger than 300000 bytes" and rows[3].blob_key is None
        assert rows[4].reason == "content type text/html"
        assert downloaded_urls(session, [listing_id]) == {listing_id: {urls[0], urls[1]}}
        # The same photo re-encoded smaller as a JPEG keeps (nearly) the same difference hash.
        assert first.dhash and rows[1].dhash and informative(first.dhash)
        assert hash_distance(first.dhash, rows[1].dhash) <= 4


def test_difference_hashes_tell_the_same_photo_from_another() -> None:
    """How the default `max_image_distance` (8 bits of 64) was chosen: re-encodings of one photo land
    at 0-4 bits, different photos at 20+."""
    same, other = [], []
    for seed in range(8):
        original = inspect_image("a", encoded(photo(seed, "LABEL")), "image/png", 200).dhash
        for scale, quality in ((0.5, 60), (0.8, 85), (1.3, 95)):
            copy = inspect_image(
                "b", encoded(photo(seed, "LABEL"), "JPEG", scale, quality), "image/jpeg", 200
            )
            same.append(hash_distance(original or "", copy.dhash or ""))
        different = inspect_image("c", encoded(photo(seed + 100, "LABEL")), "image/png", 200).dhash
        other.append(hash_distance(original or "", different or ""))
    assert max(same) <= 4, same
    assert min(other) >= 16, other
    blank = inspect_image("d", encoded(photo(0).resize((10, 10)).point(lambda _: 255)), "image/png", 200)
    assert blank.status == "ok" and not informative(blank.dhash)  # a flat picture is no evidence
