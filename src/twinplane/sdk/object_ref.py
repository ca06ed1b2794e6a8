"""The object a row belongs to (experiment, project logs, dataset), resolved lazily.

Creating an experiment or a project needs the network; logging must not wait for it.
An :class:`ObjectRef` carries a resolver that runs at most once successfully, usually on
the delivery thread, and yields the row's identity fields (wire reference section 2.4).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from twinplane.wire.objects import LOG_ID_PROJECT_LOGS


class ObjectRef:
    """A lazily resolved object: ``metadata()`` is the server's object, ``identity()`` the row fields."""

    __slots__ = ("object_type", "_resolve", "_lock", "_meta", "_label", "hints", "__weakref__")

    def __init__(self, object_type: str, resolve: Callable[[], dict[str, Any]], label: str = "",
                 hints: dict[str, str] | None = None) -> None:
        self.object_type = object_type
        # what another process needs to find the object before its id is known (span export)
        self.hints = hints or {}
        self._resolve = resolve
        self._lock = threading.Lock()
        self._meta: dict[str, Any] | None = None
        self._label = label
        _LIVE.add(self)

    @classmethod
    def resolved(cls, object_type: str, meta: dict[str, Any], label: str = "",
                 hints: dict[str, str] | None = None) -> ObjectRef:
        ref = cls(object_type, lambda: meta, label, hints)
        ref._meta = meta
        return ref

    @property
    def is_resolved(self) -> bool:
        return self._meta is not None

    def metadata(self) -> dict[str, Any]:
        """The object as the server described it (``id``, ``name`` ...); resolves on first call."""
        meta = self._meta
        if meta is None:
            with self._lock:
                if self._meta is None:
                    self._meta = self._resolve()
                meta = self._meta
        return meta

    @property
    def id(self) -> str:
        return str(self.metadata()["id"])

    def identity(self) -> dict[str, Any]:
        meta = self.metadata()
        if self.object_type == "experiment":
            return {"experiment_id": meta["id"]}
        if self.object_type == "dataset":
            return {"dataset_id": meta["id"]}
        if self.object_type == "project_logs":
            return {"project_id": meta["id"], "log_id": LOG_ID_PROJECT_LOGS}
        raise ValueError(f"rows cannot be logged to a {self.object_type}")

    def describe(self) -> str:
        return f"{self.object_type} {self._label!r}" if self._label else self.object_type

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()


# Every live ref, so a forked child can replace locks that a parent thread may have held.
_LIVE: weakref.WeakSet[ObjectRef] = weakref.WeakSet()


def reset_all_after_fork() -> None:
    for ref in list(_LIVE):
        ref.reset_after_fork()
