"""Blob store on fsspec (file:// by default, s3:// by URL) and content-addressed page snapshots."""

from __future__ import annotations

import gzip
from datetime import datetime

import fsspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.ids import content_hash
from dealwatch.snapshots.models import Snapshot

_EXTENSIONS = {"text/html": "html", "text/markdown": "md", "application/json": "json"}


class BlobStore:
    """Compressed blobs under one fsspec URL; keys are '/'-separated relative paths."""

    def __init__(self, url: str, **storage_options: object) -> None:
        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **storage_options)
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        self._local = "file" in protocols
        if self._local:
            self.fs.makedirs(self.root, exist_ok=True)

    def _path(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"bad blob key {key!r}")
        return f"{self.root}/{key}"

    def put(self, key: str, data: bytes) -> int:
        """Store `data` gzip-compressed under `key`; returns the stored size."""
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        path = self._path(key)
        if self._local:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as fh:
            fh.write(packed)
        return len(packed)

    def get(self, key: str) -> bytes:
        """The original bytes stored under `key`."""
        with self.fs.open(self._path(key), "rb") as fh:
            return gzip.decompress(fh.read())

    def exists(self, key: str) -> bool:
        """Whether `key` is stored."""
        return bool(self.fs.exists(self._path(key)))


def snapshot_key(source: str, fetched_at: datetime, tier: str, content_type: str, digest: str) -> str:
    """'scrapes/2025/11/15/john_lewis_20251115_090132_http_3f2a9c1e.html.gz'.

    Partitioned by date as in the seed; the content hash prefix keeps two pages fetched in one second apart.
    """
    ext = _EXTENSIONS.get(content_type.split(";")[0].strip(), "bin")
    stamp = fetched_at.strftime("%Y%m%d_%H%M%S")
    return f"scrapes/{fetched_at:%Y/%m/%d}/{source}_{stamp}_{tier}_{digest[:8]}.{ext}.gz"


def save_snapshot(
    session: Session,
    blobs: BlobStore,
    *,
    content: bytes,
    source: str,
    url: str,
    tier: str,
    content_type: str,
    fetched_at: datetime,
) -> Snapshot:
    """Store a page once per distinct content: identical bytes reuse the existing snapshot and blob."""
    digest = content_hash(content)
    existing = session.scalar(select(Snapshot).where(Snapshot.content_hash == digest))
    if existing is not None:
        return existing
    key = snapshot_key(source, fetched_at, tier, content_type, digest)
    stored_size = blobs.put(key, content)
    snapshot = Snapshot(
        content_hash=digest,
        blob_key=key,
        size=len(content),
        stored_size=stored_size,
        content_type=content_type.split(";")[0].strip(),
        source=source,
        url=url,
        created_at=fetched_at,
    )
    session.add(snapshot)
    session.flush()
    return snapshot
