"""Block detection on real saved pages (../shared/data) and on each vendor's markers."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dealwatch.fetch.blocks import detect_block

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ZYTE = DATA / "product_pages_zyte" / "html"
MARKETPLACES = DATA / "marketplace_pages"
WALL = MARKETPLACES / "ebay" / "blocked_pardon-our-interruption_2026-07-21.html"


def _read(path: Path) -> bytes:
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


def test_real_pages_are_not_walls_and_the_real_wall_is() -> None:
    if not ZYTE.is_dir() or not MARKETPLACES.is_dir():
        pytest.skip(f"shared data not present under {DATA}")
    pages = [*ZYTE.glob("*.html.gz"), *MARKETPLACES.rglob("*.html"), *MARKETPLACES.rglob("*.html.gz")]
    flagged = {p.name for p in pages if detect_block(200, {}, _read(p)) is not None}
    assert len(pages) > 150
    assert flagged == {WALL.name}


@pytest.mark.parametrize(
    ("status", "headers", "body", "vendor"),
    [
        (
            403,
            {"cf-mitigated": "challenge", "server": "cloudflare"},
            b"<title>Just a moment...</title>",
            "cloudflare",
        ),
        (
            503,
            {},
            b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script>",
            "cloudflare",
        ),
        (403, {}, b"Reference&#32;&#35;18&#46;2f1e3d&#46;1735754727&#46;9a8b7c", "akamai"),
        (403, {}, b'<div id="px-captcha"></div><script>window._pxAppId="PXabc"</script>', "perimeterx"),
        (403, {"x-datadome": "protected"}, b"", "datadome"),
        (403, {}, b"Request unsuccessful. Incapsula incident ID: 123-456", "imperva"),
        (200, {}, b"<div class='g-recaptcha' data-sitekey='x'></div>", "captcha"),
        (429, {}, b"slow down", "http"),
    ],
)
def test_each_vendor_is_named(status: int, headers: dict[str, str], body: bytes, vendor: str) -> None:
    verdict = detect_block(status, headers, body)
    assert verdict is not None and verdict.vendor == vendor


def test_a_big_shop_page_mentioning_a_vendor_script_is_not_a_wall() -> None:
    page = (
        b"<html><body>"
        + b"<p>product</p>" * 3000
        + b"<script src='https://js.captcha-delivery.com/x.js'></script>"
    )
    assert detect_block(200, {}, page) is None
