"""Export sandbox home pages with their hidden truth as a labelled directory for `dealwatch eval detect`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from dealwatch.sandbox.world import SandboxWorld


def export_labelled(world: SandboxWorld, directory: Path, every: int = 1) -> int:
    """Write DIR/pages/*.html and DIR/labels.jsonl (every `every`-th day of each store); returns the count."""
    pages = directory / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    written = 0
    with (directory / "labels.jsonl").open("w", encoding="utf-8") as labels:
        for store in world.stores:
            for offset in range(0, world.days, every):
                day = world.start + timedelta(days=offset)
                name = f"{store.slug}_{day.isoformat()}.html"
                (pages / name).write_text(world.render(store.slug, day), encoding="utf-8")
                truth = world.truth(store.slug, day)
                record = {
                    "file": f"pages/{name}",
                    "url": f"https://{store.slug}.sandbox.test/",
                    "has_promotion": truth.has_promotion,
                    "promotion_type": truth.promotion_type,
                    "promotion_text": truth.promotion_text,
                    "day": day.isoformat(),
                    "selectors": store.selectors,
                    "template": store.template,
                }
                labels.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written
