"""Blob store on a real filesystem and on S3 (a loopback moto server speaking the S3 protocol)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.snapshots.models import Snapshot
from dealwatch.snapshots.store import BlobStore, save_snapshot, snapshot_key

FETCHED = datetime(2025, 11, 15, 9, 1, 32, tzinfo=UTC)


def test_keys_are_partitioned_by_date_as_in_the_seed() -> None:
    key = snapshot_key("john_lewis", FETCHED, "http", "text/html; charset=utf-8", "3f2a9c1e" * 8)
    assert key == "scrapes/2025/11/15/john_lewis_20251115_090132_http_3f2a9c1e.html.gz"
    assert snapshot_key("amazon_uk", FETCHED, "scraping_api", "text/markdown", "ab" * 32).endswith(
        "api_abababab.md.gz"
    )


def test_local_blobs_are_compressed_and_read_back(tmp_path: Path) -> None:
    blobs = BlobStore((tmp_path / "blobs").as_uri())
    page = b"<html>" + b"sale " * 2000 + b"</html>"
    stored = blobs.put("scrapes/2025/01/01/a.html.gz", page)
    assert stored < len(page) / 10
    assert blobs.get("scrapes/2025/01/01/a.html.gz") == page
    on_disk = tmp_path / "blobs" / "scrapes" / "2025" / "01" / "01" / "a.html.gz"
    assert gzip.decompress(on_disk.read_bytes()) == page
    with pytest.raises(ValueError):
        blobs.put("../escape", b"x")


def test_identical_content_is_stored_once(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    blobs = BlobStore((tmp_path / "blobs").as_uri())
    args = {"source": "acme", "url": "https://acme.test/", "tier": "http", "content_type": "text/html"}
    with sessions.begin() as session:
        first = save_snapshot(session, blobs, content=b"<p>same</p>", fetched_at=FETCHED, **args)
        again = save_snapshot(session, blobs, content=b"<p>same</p>", fetched_at=FETCHED, **args)
        other = save_snapshot(session, blobs, content=b"<p>new</p>", fetched_at=FETCHED, **args)
    assert first.id == again.id != other.id
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 2
    assert blobs.get(first.blob_key) == b"<p>same</p>"


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] not installed (dev extra)")
    pytest.importorskip("s3fs", reason="s3fs not installed (s3 extra)")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_blob_store_by_url(s3_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import s3fs

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3fs.S3FileSystem(client_kwargs={"endpoint_url": s3_url}).mkdir("dealwatch-test")
    blobs = BlobStore("s3://dealwatch-test/pages", client_kwargs={"endpoint_url": s3_url})
    blobs.put("scrapes/2025/11/15/acme.html.gz", b"<h1>Black Friday</h1>")
    assert blobs.exists("scrapes/2025/11/15/acme.html.gz")
    assert blobs.get("scrapes/2025/11/15/acme.html.gz") == b"<h1>Black Friday</h1>"
