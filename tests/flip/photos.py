"""Listing photos for the image, OCR and cross-post tests: photo-like pictures made with Pillow (a busy
seeded background with a white product label), served by a small loopback image host."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def photo(seed: int, label: str = "", size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A busy picture (seeded shapes) with `label` in black on a white sticker."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(width), rng.randrange(height)
        box = (x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200))
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    if label:
        draw.rectangle((60, 180, 600, 300), fill="white")
        draw.text((90, 210), label, fill="black", font=ImageFont.load_default(size=48))
    return image


def encoded(image: Image.Image, kind: str = "PNG", scale: float = 1.0, quality: int = 85) -> bytes:
    """The picture as file bytes, optionally resized (a marketplace re-encodes what it is given)."""
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    out = io.BytesIO()
    image.save(out, kind, **({"quality": quality} if kind == "JPEG" else {}))
    return out.getvalue()


class ImageHost:
    """Serves `files` (path -> (content type, bytes)) on loopback; anything else is a 404."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.hits: list[str] = []
        self.app = Starlette(routes=[Route("/{path:path}", self.serve)])

    async def serve(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        self.hits.append(path)
        if path not in self.files:
            return Response("not found", status_code=404)
        content_type, body = self.files[path]
        return Response(body, media_type=content_type)
