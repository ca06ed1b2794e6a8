"""The blob store's default backend: files under one directory (``settings.blob_dir``).

Writes are durable (fsync) and atomic (a temporary file renamed or linked into place). Every
path is re-checked to sit inside the root, beside the key check ``BlobStore`` makes first.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path

from twinplane.server.common.errors import NotFound


class LocalBlobs:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.failures: Counter[str] = Counter()  # none counted: a directory's errors are the OS's, raised as they are

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root not in path.parents:
            raise NotFound("unknown blob key")
        return path

    @staticmethod
    def _staged(path: Path, data: bytes) -> Path:
        """``data`` in a durable temporary file beside ``path`` (to be renamed or linked into place)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{uuid.uuid4().hex}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return tmp

    def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        os.replace(self._staged(path, data), path)

    def put_new(self, name: str, data: bytes) -> bool:
        path = self._path(name)
        tmp = self._staged(path, data)
        try:
            os.link(tmp, path)  # atomic, and fails when the name exists: two racing PUTs, one wins
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing held open."""

    def sweep(self, kind: str, cutoff: float, limit: int) -> int:
        removed = 0
        if not self.root.is_dir():
            return 0
        for org_dir in self.root.iterdir():
            folder = org_dir / kind
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if removed >= limit:
                    return removed
                try:
                    if entry.stat().st_mtime < cutoff:
                        entry.unlink(missing_ok=True)
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed
