"""OCR of listing photos with the real Tesseract: the model number printed in a photo is read, and it
turns a vague title's fuzzy valuation into a model-number one."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from photos import encoded, photo

from dealwatch.core.errors import NotConfigured
from dealwatch.core.money import Money
from dealwatch.flip.matching import Comp, CompIndex, ItemQuery
from dealwatch.flip.ocr import build_ocr, needs_ocr, read_photo_text
from dealwatch.flip.valuation import value
from dealwatch.settings import FlipImageSettings

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt-get install tesseract-ocr): the OCR tier is optional",
)


@needs_tesseract
def test_tesseract_reads_the_model_number_and_brand_in_a_photo() -> None:
    ocr = build_ocr(FlipImageSettings())
    for content in (
        encoded(photo(1, "SONY WH-1000XM4")),
        encoded(photo(1, "SONY WH-1000XM4"), "JPEG", 0.6, 70),  # a smaller, lossy copy too
    ):
        found = read_photo_text(ocr.read(content))
        assert found.models == ("WH-1000XM4",), found
        assert found.brands == ("Sony",)
        assert found.hint == "Sony WH-1000XM4"


@needs_tesseract
def test_a_busy_photo_without_text_gives_no_model_number() -> None:
    ocr = build_ocr(FlipImageSettings())
    assert read_photo_text(ocr.read(encoded(photo(5)))).models == ()


def test_ocr_drops_out_when_tesseract_is_missing_or_switched_off() -> None:
    with pytest.raises(NotConfigured, match="tesseract-ocr"):
        build_ocr(FlipImageSettings(tesseract_cmd="/nonexistent/tesseract"))
    with pytest.raises(NotConfigured, match="off"):
        build_ocr(FlipImageSettings(ocr=False))


def test_model_numbers_and_brands_are_read_from_ocr_text_as_written() -> None:
    text = "NVIDIA GeForce\nRTX 5090 Founders Edition\n(@ ,"
    found = read_photo_text(text)
    assert found.models == ("RTX 5090",) and found.brands == ("Nvidia",)
    assert read_photo_text("Bang & Olufsen Beoplay H95").brands == ("Bang & Olufsen",)
    assert read_photo_text("a1 b2 x").models == ()  # OCR crumbs are not model numbers
    assert needs_ocr("Sony wireless noise cancelling headphones")
    assert not needs_ocr("Sony WH-1000XM4 headphones")


def _comps() -> list[Comp]:
    sold: list[tuple[str, str]] = [
        *(("Sony WH-1000XM4 Wireless Noise Cancelling Headphones", p) for p in ("235", "248", "255", "262")),
        *(("Sony WH-1000XM3 Wireless Noise Cancelling Headphones Black", p) for p in ("120", "128", "135")),
        *(("Sony WH-CH520 wireless headphones", p) for p in ("28", "32", "35")),
        *(("Sony MDR-ZX110 noise cancelling headphones", p) for p in ("18", "22")),
    ]
    return [
        Comp(title, Money(Decimal(price), "USD"), sold_at=NOW - timedelta(days=3 + i), condition="used")
        for i, (title, price) in enumerate(sold)
    ]


def test_a_model_number_from_a_photo_makes_the_valuation_match_the_model() -> None:
    index = CompIndex(_comps())
    title = "Sony wireless noise cancelling headphones"
    vague = value(ItemQuery(title, condition="used"), index, now=NOW, min_comps=3)
    sharp = value(
        ItemQuery(title, condition="used", description="Sony WH-1000XM4"), index, now=NOW, min_comps=3
    )
    assert vague.method == "title"
    assert sharp.method == "model number" and sharp.n_comps == 4
    assert all("XM4" in m.comp.title for m in sharp.comps_used)
    assert sharp.estimate is not None and Decimal("235") <= sharp.estimate.amount <= Decimal("262")
    assert sharp.confidence > vague.confidence
