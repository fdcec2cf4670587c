"""Listing photos: downloaded through the SSRF guard, checked, hashed and kept in the blob store.

A download is bounded (the first `max_per_listing` photos, `max_bytes` each, a timeout, a few in
flight per image host) and ends with one recorded status: ok, failed, blocked (refused by the SSRF
guard, HTTP 403/429), too_large or not_image (wrong content type, or bytes Pillow cannot read as a
JPEG/PNG/WebP/GIF). Nothing raises: a bad photo is a row with its reason, and the scan goes on.

Stored bytes are content-addressed (`images/ab/abcd….jpg`), so the same photo on two marketplaces is
kept once. Each photo gets a 64-bit difference hash (dHash: is each pixel of a 9x8 grey thumbnail
darker than its right neighbour?), which survives re-encoding and resizing, for cross-post matching.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import httpx
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.errors import DealwatchError, NotConfigured
from dealwatch.core.ids import content_hash
from dealwatch.fetch.politeness import HostGate, host_of
from dealwatch.fetch.safety import UnsafeURL, UrlGuard, guarded_client
from dealwatch.flip.models import ListingImage
from dealwatch.settings import FetchSettings, FlipImageSettings
from dealwatch.snapshots.store import BlobStore

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

OK, FAILED, BLOCKED, TOO_LARGE, NOT_IMAGE = "ok", "failed", "blocked", "too_large", "not_image"
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ACCEPT = "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"
# A photo bigger than this many pixels is refused before decoding (a decompression bomb otherwise).
MAX_PIXELS = 40_000_000
# A hash with fewer (or more) set bits than this describes a near-flat picture: useless as evidence.
_MIN_BITS, _MAX_BITS = 8, 56


@dataclass(frozen=True, slots=True)
class Photo:
    """One photo download: how it ended and, when ok, the bytes and what was read from them."""

    url: str
    status: str
    reason: str | None = None
    http_status: int | None = None
    content: bytes = b""
    content_type: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    dhash: str | None = None


class _TooLarge(Exception):
    """The body passed the size limit."""


def difference_hash(image: PilImage) -> str:
    """The 64-bit dHash of `image` as 16 hex digits."""
    from PIL import Image

    grey = np.asarray(image.convert("L").resize((9, 8), Image.Resampling.LANCZOS), dtype=np.int16)
    bits = (grey[:, 1:] > grey[:, :-1]).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def hash_distance(a: str, b: str) -> int:
    """How many of the 64 bits two hashes differ in."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def informative(dhash: str | None) -> bool:
    """Whether a hash says something (a flat or blank picture hashes to nearly all zeros or ones)."""
    return dhash is not None and _MIN_BITS <= int(dhash, 16).bit_count() <= _MAX_BITS


def inspect_image(url: str, content: bytes, content_type: str, http_status: int | None) -> Photo:
    """Check downloaded bytes are a photo Pillow reads, and hash it."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    return Photo(url, NOT_IMAGE, f"unsupported image format {kind}", http_status)
                if width * height > MAX_PIXELS:
                    return Photo(url, NOT_IMAGE, f"{width}x{height} pixels is too many", http_status)
                image.draft("L", (64, 64))  # JPEG decodes at 1/8 scale: hashing needs a thumbnail only
                dhash = difference_hash(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        reason = f"not a readable image ({content_type or 'no content type'})"
        return Photo(url, NOT_IMAGE, reason, http_status)
    return Photo(url, OK, None, http_status, content, content_type, kind, width, height, dhash)


class PhotoFetcher:
    """Downloads listing photos with the fetch settings' SSRF guard and User-Agent, bounded."""

    def __init__(
        self,
        fetch: FetchSettings,
        settings: FlipImageSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        limits = fetch.model_copy(update={"timeout": settings.timeout, "concurrency": settings.concurrency})
        self._client = guarded_client(limits, UrlGuard(fetch.allowed_networks), transport=transport)
        self._hosts = HostGate(settings.per_host, 0.0)
        self._slots: asyncio.Semaphore | None = None

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def fetch_all(self, urls: Sequence[str]) -> list[Photo]:
        """Download the first `max_per_listing` of `urls`, at once."""
        wanted = list(dict.fromkeys(urls))[: self.settings.max_per_listing]
        return list(await asyncio.gather(*(self.fetch(url) for url in wanted)))

    async def fetch(self, url: str) -> Photo:
        """Download and check one photo; never raises."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.settings.concurrency)
        try:
            async with self._slots, self._hosts.slot(host_of(url)):
                return await self._download(url)
        except UnsafeURL as exc:
            return Photo(url, BLOCKED, f"refused by the SSRF guard: {exc}")
        except _TooLarge:
            return Photo(url, TOO_LARGE, f"larger than {self.settings.max_bytes} bytes")
        except httpx.TimeoutException as exc:
            return Photo(url, FAILED, f"timeout: {type(exc).__name__}")
        except (httpx.HTTPError, DealwatchError) as exc:
            return Photo(url, FAILED, f"{type(exc).__name__}: {exc}".rstrip(": ")[:500])

    async def _download(self, url: str) -> Photo:
        async with self._client.stream("GET", url, headers={"Accept": ACCEPT}) as response:
            status = response.status_code
            if status in (403, 429):
                return Photo(url, BLOCKED, f"HTTP {status}", status)
            if status != 200:
                return Photo(url, FAILED, f"HTTP {status}", status)
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if not content_type.startswith("image/"):
                return Photo(url, NOT_IMAGE, f"content type {content_type or 'missing'}", status)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
                raise _TooLarge
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.settings.max_bytes:
                    raise _TooLarge
                chunks.append(chunk)
        return inspect_image(url, b"".join(chunks), content_type, status)


def build_photo_fetcher(fetch: FetchSettings, settings: FlipImageSettings) -> PhotoFetcher:
    """The photo downloader; NotConfigured when switched off or Pillow (the `ocr` extra) is missing."""
    if not settings.enabled or settings.max_per_listing == 0:
        raise NotConfigured("flip.images.enabled is off")
    if importlib.util.find_spec("PIL") is None:
        raise NotConfigured("Pillow is not installed (pip install 'dealwatch[ocr]')")
    return PhotoFetcher(fetch, settings)


def image_key(digest: str, kind: str | None) -> str:
    """'images/3f/3f2a….jpg': where a photo's bytes live, by content."""
    return f"images/{digest[:2]}/{digest}.{FORMATS.get(kind or '', 'bin')}"


def downloaded_urls(session: Session, listing_ids: Iterable[int]) -> dict[int, set[str]]:
    """The photo URLs each listing already has stored (status ok): they are not fetched again."""
    found: dict[int, set[str]] = {}
    ids = list(listing_ids)
    if not ids:
        return found
    rows = session.execute(
        select(ListingImage.listing_id, ListingImage.url).where(
            ListingImage.listing_id.in_(ids), ListingImage.status == OK
        )
    )
    for listing_id, url in rows:
        found.setdefault(listing_id, set()).add(url)
    return found


def record_photos(
    session: Session,
    blobs: BlobStore,
    listing_id: int,
    urls: Sequence[str],
    photos: Sequence[Photo],
    now: datetime,
) -> list[ListingImage]:
    """Store each downloaded photo once by content and upsert its row (one per listing and URL)."""
    rows = {
        row.url: row
        for row in session.scalars(select(ListingImage).where(ListingImage.listing_id == listing_id))
    }
    position = {url: i for i, url in enumerate(dict.fromkeys(urls))}
    for photo in photos:
        row = rows.get(photo.url)
        if row is None:
            row = ListingImage(listing_id=listing_id, url=photo.url, ocr_models=[], ocr_brands=[])
            session.add(row)
            rows[photo.url] = row
        row.position = position.get(photo.url, len(position))
        row.status, row.reason, row.http_status, row.fetched_at = (
            photo.status,
            photo.reason,
            photo.http_status,
            now,
        )
        if photo.status != OK:
            continue
        digest = content_hash(photo.content)
        key = image_key(digest, photo.format)
        if not blobs.exists(key):
            blobs.put(key, photo.content)
        row.content_hash, row.blob_key, row.content_type = digest, key, photo.content_type
        row.bytes, row.width, row.height = len(photo.content), photo.width, photo.height
        row.dhash = photo.dhash
    session.flush()
    return sorted(rows.values(), key=lambda r: r.position)
