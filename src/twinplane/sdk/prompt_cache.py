"""A disk cache of loaded prompts, so ``load_prompt`` keeps working while the data plane is down.

Every successful load is written (one JSON file per data plane, org, project, slug and pinned
version); when a later load fails for a transient reason (network, 408, 429, 5xx) the cached
copy is returned instead. Writes are atomic (temp file + rename); a broken cache is ignored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

logger = logging.getLogger(__name__)


class PromptCache:
    def __init__(self, directory: str | None) -> None:
        if directory == "off":
            self.dir: Path | None = None
        else:
            self.dir = Path(directory) if directory else Path.home() / ".twinplane" / "prompt_cache"

    def _path(self, key: tuple[str, ...]) -> Path | None:
        if self.dir is None:
            return None
        digest = hashlib.sha256("\x1f".join(key).encode()).hexdigest()
        return self.dir / f"{digest}.json"

    def get(self, key: tuple[str, ...]) -> dict[str, Any] | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            value = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: tuple[str, ...], obj: dict[str, Any]) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(orjson.dumps(obj))
            os.replace(tmp, path)
        except OSError as exc:  # a read-only home must not break load_prompt
            logger.debug("twinplane: prompt cache not written (%s)", type(exc).__name__)
