"""Response cache: validated answers keyed by sha256 of (model, system, prompt, schema), with a TTL.

Kept in memory (bounded, oldest dropped first) and, when a directory is given, as one JSON file per
answer so that a re-run of the same day costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from datetime import datetime, timedelta
from pathlib import Path

from dealwatch.core.clock import Clock


def cache_key(model: str, system: str, prompt: str, schema_name: str) -> str:
    """Hex sha256 of what determines an answer."""
    material = json.dumps([model, system, prompt, schema_name], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()


class ResponseCache:
    """Answer text by key, for `ttl` seconds of the injected clock."""

    def __init__(
        self, clock: Clock, ttl: float, *, directory: Path | None = None, max_entries: int = 10_000
    ) -> None:
        self.clock = clock
        self.ttl = timedelta(seconds=ttl)
        self.directory = directory
        self.max_entries = max_entries
        self._memory: OrderedDict[str, tuple[datetime, str]] = OrderedDict()

    def get(self, key: str) -> str | None:
        """The stored answer, or None when absent or older than the TTL."""
        entry = self._memory.get(key) or self._read(key)
        if entry is None:
            return None
        stored_at, text = entry
        if self.clock.now() - stored_at >= self.ttl:
            self.forget(key)
            return None
        self._remember(key, stored_at, text)
        return text

    def put(self, key: str, text: str) -> None:
        """Store an answer now."""
        if self.ttl <= timedelta(0):
            return
        now = self.clock.now()
        self._remember(key, now, text)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self._path(key).with_suffix(".tmp")
            tmp.write_text(json.dumps({"stored_at": now.isoformat(), "text": text}))
            os.replace(tmp, self._path(key))

    def forget(self, key: str) -> None:
        """Drop one answer (e.g. one that no longer validates)."""
        self._memory.pop(key, None)
        if self.directory is not None:
            self._path(key).unlink(missing_ok=True)

    def _remember(self, key: str, stored_at: datetime, text: str) -> None:
        self._memory[key] = (stored_at, text)
        self._memory.move_to_end(key)
        while len(self._memory) > self.max_entries:
            self._memory.popitem(last=False)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.json"

    def _read(self, key: str) -> tuple[datetime, str] | None:
        if self.directory is None:
            return None
        try:
            data = json.loads(self._path(key).read_text())
            return datetime.fromisoformat(data["stored_at"]), str(data["text"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
