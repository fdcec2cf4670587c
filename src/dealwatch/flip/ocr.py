"""Text in listing photos: Tesseract (via pytesseract) reads the photo, and the words it is sure of
give model numbers and brand names that feed matching, the comps query and the LLM prompt.

OCR is an optional tier: `build_ocr` raises NotConfigured when pytesseract (the `ocr` extra) or the
`tesseract` binary (Debian's tesseract-ocr) is missing, and the pipeline then runs without it. A photo
is read as grey, scaled so its longest side is 800-1600 px, in sparse-text mode (`--psm 11`: a label
anywhere on a busy photo), keeping only words Tesseract is at least `min_confidence` sure of, so
noise in the picture does not become a model number.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealwatch.core.errors import NotConfigured
from dealwatch.flip.matching import model_numbers
from dealwatch.flip.models import ListingImage
from dealwatch.settings import FlipImageSettings
from dealwatch.snapshots.store import BlobStore

BRANDS_FILE = Path(__file__).with_name("brands.json")
_WORDS = re.compile(r"[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*")
# Model numbers read from a photo are at least this long: OCR noise makes short letter-digit mixes.
_MIN_MODEL_LENGTH = 4
_LONGEST_SIDE, _SHORTEST_READ = 1600, 800


@dataclass(frozen=True, slots=True)
class PhotoText:
    """What OCR read in a listing's photos: the text, model numbers as written, and brand names."""

    text: str = ""
    models: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    read: int = 0  # photos read

    @property
    def hint(self) -> str | None:
        """'Sony WH-1000XM4': the brand and model numbers, for the comps query and matching."""
        if not self.models:
            return None
        return " ".join([*self.brands[:1], *self.models])


def _brand_names() -> dict[str, str]:
    """The built-in brand list (flip/brands.json), keyed by its lower-case words."""
    names: list[str] = json.loads(BRANDS_FILE.read_text(encoding="utf-8"))
    return {" ".join(re.findall(r"[a-z0-9]+", name.lower())): name for name in names}


_BRAND_NAMES = _brand_names()


def needs_ocr(title: str) -> bool:
    """OCR is worth its time only when the title names no model number to match on."""
    return not model_numbers(title)


def read_photo_text(text: str) -> PhotoText:
    """Model numbers (as written) and brand names in OCR'd text."""
    codes = [code for code in model_numbers(text) if len(code) >= _MIN_MODEL_LENGTH]
    return PhotoText(text=text, models=_as_written(text, codes), brands=_brands_in(text))


def _as_written(text: str, codes: Sequence[str]) -> tuple[str, ...]:
    """Each model number as the photo spells it ("WH-1000XM4" for WH1000XM4, "RTX 5090" for RTX5090)."""
    words = _WORDS.findall(text)
    out = []
    for code in codes:
        written = code
        for i, word in enumerate(words):
            joined = re.sub(r"[-/]", "", word).upper()
            if joined == code:
                written = word
                break
            if i + 1 < len(words) and joined + words[i + 1].upper() == code:
                written = f"{word} {words[i + 1]}"
                break
        out.append(written)
    return tuple(dict.fromkeys(out))


def _brands_in(text: str) -> tuple[str, ...]:
    """Known brand names in the text, in the order they appear."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    first: dict[str, int] = {}
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            first.setdefault(" ".join(words[i : i + n]), i)
    found = sorted((first[key], name) for key, name in _BRAND_NAMES.items() if key in first)
    return tuple(dict.fromkeys(name for _, name in found))


def merge(texts: Iterable[PhotoText]) -> PhotoText:
    """One listing's photos read together."""
    parts = list(texts)
    return PhotoText(
        text="\n".join(p.text for p in parts if p.text),
        models=tuple(dict.fromkeys(m for p in parts for m in p.models)),
        brands=tuple(dict.fromkeys(b for p in parts for b in p.brands)),
        read=sum(p.read for p in parts),
    )


class Tesseract:
    """Reads the words in a photo with the tesseract binary."""

    name = "tesseract"

    def __init__(self, command: str, timeout: float, min_confidence: float) -> None:
        import pytesseract

        self._pytesseract = pytesseract
        pytesseract.pytesseract.tesseract_cmd = command
        self.timeout, self.min_confidence = timeout, min_confidence
        # Tesseract's own OpenMP threads fight over 2 cores with the pipeline; one thread per read is faster.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def read(self, content: bytes) -> str:
        """The words of the photo Tesseract is sure of, line by line; raises on a bad image or timeout."""
        from PIL import Image, ImageOps

        with Image.open(io.BytesIO(content)) as image:
            image.draft("L", (_LONGEST_SIDE, _LONGEST_SIDE))
            grey = ImageOps.grayscale(ImageOps.exif_transpose(image) or image)
        longest = max(grey.size)
        if longest > _LONGEST_SIDE:
            grey.thumbnail((_LONGEST_SIDE, _LONGEST_SIDE))
        elif longest < _SHORTEST_READ:
            scale = _SHORTEST_READ / longest
            size = (round(grey.width * scale), round(grey.height * scale))
            grey = grey.resize(size, Image.Resampling.LANCZOS)
        data = self._pytesseract.image_to_data(
            grey, config="--psm 11", timeout=self.timeout, output_type=self._pytesseract.Output.DICT
        )
        lines: dict[tuple[int, int, int], list[str]] = {}
        for word, confidence, block, paragraph, line in zip(
            data["text"], data["conf"], data["block_num"], data["par_num"], data["line_num"], strict=True
        ):
            if word.strip() and float(confidence) >= self.min_confidence:
                lines.setdefault((block, paragraph, line), []).append(word.strip())
        return "\n".join(" ".join(words) for words in lines.values())


def build_ocr(settings: FlipImageSettings) -> Tesseract:
    """The OCR tier; NotConfigured when it is switched off or pytesseract or the binary is missing."""
    if not settings.ocr:
        raise NotConfigured("flip.images.ocr is off")
    if importlib.util.find_spec("pytesseract") is None or importlib.util.find_spec("PIL") is None:
        raise NotConfigured("pytesseract or Pillow is not installed (pip install 'dealwatch[ocr]')")
    if shutil.which(settings.tesseract_cmd) is None:
        raise NotConfigured(
            f"{settings.tesseract_cmd!r} not found "
            "(apt-get install tesseract-ocr, or set flip.images.tesseract_cmd)"
        )
    return Tesseract(settings.tesseract_cmd, settings.ocr_timeout, settings.ocr_min_confidence)


def photos_to_read(session: Session, listing_id: int, limit: int) -> list[ListingImage]:
    """The listing's first `limit` stored photos; those already read here or, by content, elsewhere
    get that reading copied rather than read again."""
    rows = list(
        session.scalars(
            select(ListingImage)
            .where(ListingImage.listing_id == listing_id, ListingImage.status == "ok")
            .order_by(ListingImage.position)
            .limit(limit)
        )
    )
    todo = []
    for row in rows:
        if row.ocr_status is not None:
            continue
        done = session.scalar(
            select(ListingImage)
            .where(ListingImage.content_hash == row.content_hash, ListingImage.ocr_status == "done")
            .limit(1)
        )
        if done is not None:
            save_reading(row, read_photo_text(done.ocr_text or ""), None)
        else:
            todo.append(row)
    return todo


def save_reading(row: ListingImage, text: PhotoText | None, failure: str | None) -> None:
    """Keep what OCR read in one photo (or why it could not)."""
    if text is None:
        row.ocr_status, row.ocr_text = "failed", failure
        return
    row.ocr_status, row.ocr_text = "done", text.text
    row.ocr_models, row.ocr_brands = list(text.models), list(text.brands)


def listing_photo_text(session: Session, listing_id: int) -> PhotoText:
    """Everything OCR read in a listing's photos."""
    rows = session.scalars(
        select(ListingImage)
        .where(ListingImage.listing_id == listing_id, ListingImage.ocr_status == "done")
        .order_by(ListingImage.position)
    )
    return merge(
        PhotoText(row.ocr_text or "", tuple(row.ocr_models), tuple(row.ocr_brands), read=1) for row in rows
    )


Reading = tuple[PhotoText | None, str | None]  # what OCR read, or why it could not


def read_contents(ocr: Tesseract, contents: Sequence[bytes]) -> list[Reading]:
    """Read photos' bytes one by one: (text, None) or (None, why not).

    Blocking (Tesseract runs as a subprocess): the pipeline calls it in a worker thread."""
    out: list[Reading] = []
    for content in contents:
        try:
            out.append((read_photo_text(ocr.read(content)), None))
        except Exception as exc:  # a photo Tesseract chokes on (or a timeout) is recorded, not raised
            out.append((None, f"{type(exc).__name__}: {exc}"[:500]))
    return out


def read_stored(
    ocr: Tesseract, blobs: BlobStore, photos: Sequence[tuple[int, str]]
) -> list[tuple[int, PhotoText | None, str | None]]:
    """Read stored photos (image id, blob key) one by one: (id, text, None) or (id, None, why not).

    Blocking, like `read_contents`."""
    out: list[tuple[int, PhotoText | None, str | None]] = []
    for image_id, key in photos:
        try:
            content = blobs.get(key)
        except Exception as exc:
            out.append((image_id, None, f"{type(exc).__name__}: {exc}"[:500]))
            continue
        [(text, failure)] = read_contents(ocr, [content])
        out.append((image_id, text, failure))
    return out
