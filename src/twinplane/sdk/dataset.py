"""Datasets (``init_dataset``): versioned records of input/expected/metadata used by evals.

Writes go through the same background delivery as spans; reads flush first, then page
through ``POST /v1/dataset/{id}/fetch``. ``version=`` pins the dataset as of a
transaction id; ``dataset.version`` is the newest ``_xact_id`` seen (a string).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from twinplane.sdk import ids
from twinplane.sdk.errors import APIError
from twinplane.sdk.object_ref import ObjectRef
from twinplane.sdk.state import State, state_for


class Dataset:
    """A dataset of a project; created on the data plane when first needed."""

    def __init__(self, state: State, project: str | None, name: str, *, project_id: str | None = None,
                 description: str | None = None, metadata: dict[str, Any] | None = None,
                 version: str | int | None = None) -> None:
        if project is None and project_id is None:
            raise ValueError("init_dataset needs a project name or project_id")
        self.state = state
        self.project_name = project
        self.pinned_version = str(version) if version is not None else None
        self._cache: list[dict[str, Any]] | None = None

        def resolve() -> dict[str, Any]:
            proj = state.project(project, project_id)
            body: dict[str, Any] = {"project_id": proj["id"], "name": name}
            if description is not None:
                body["description"] = description
            if metadata is not None:
                body["metadata"] = metadata
            ds = state.api_connection().post("/v1/dataset", body)
            if not isinstance(ds, dict) or not isinstance(ds.get("id"), str):
                raise APIError("the data plane answered a dataset without an id")
            return ds

        self.ref = ObjectRef("dataset", resolve, label=name)

    @property
    def id(self) -> str:
        return self.ref.id

    @property
    def name(self) -> str:
        return str(self.ref.metadata().get("name"))

    # -- writes --------------------------------------------------------------------------------
    def insert(self, input: Any = None, expected: Any = None, metadata: dict[str, Any] | None = None,
               tags: list[str] | None = None, id: str | None = None, output: Any = None) -> str:
        """Add (or replace) a record; returns its id. ``output`` is an alias of ``expected``."""
        if self.pinned_version is not None:
            raise ValueError("this dataset is pinned to a version; it is read-only")
        if metadata is not None and not isinstance(metadata, dict):
            raise ValueError("metadata must be a dict")
        row_id = id or ids.row_id()
        row: dict[str, Any] = {"id": row_id, "input": input, "expected": expected if expected is not None else output,
                               "tags": list(dict.fromkeys(tags)) if tags else None, "created": time.time()}
        if metadata is not None:
            row["metadata"] = metadata
        self.state.delivery.put(self.ref, row)
        self._cache = None
        return row_id

    def update(self, id: str, input: Any = None, expected: Any = None, metadata: dict[str, Any] | None = None,
               tags: list[str] | None = None) -> str:
        """Merge the given (non-None) fields into record ``id``."""
        row: dict[str, Any] = {"id": id, "_is_merge": True}
        for key, value in (("input", input), ("expected", expected), ("metadata", metadata), ("tags", tags)):
            if value is not None:
                row[key] = value
        self.state.delivery.put(self.ref, row)
        self._cache = None
        return id

    def delete(self, id: str) -> str:
        self.state.delivery.put(self.ref, {"id": id, "created": time.time(), "_object_delete": True})
        self._cache = None
        return id

    def flush(self, timeout: float | None = None) -> Any:
        return self.state.delivery.flush(timeout)

    # -- reads ---------------------------------------------------------------------------------
    def fetch(self) -> Iterator[dict[str, Any]]:
        """Every current record (as of the pinned version, if any), paging through the data plane."""
        if self._cache is None:
            self.flush(30)
            pinned = {"version": self.pinned_version} if self.pinned_version is not None else None
            rows: list[dict[str, Any]] = []
            for event in self.state.api_connection().fetch_events(f"/v1/dataset/{self.id}/fetch", pinned):
                if "expected" not in event and "output" in event:
                    event["expected"] = event.pop("output")
                rows.append(event)
            self._cache = rows
        return iter(list(self._cache))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.fetch()

    @property
    def version(self) -> str:
        """The pinned version, else the newest ``_xact_id`` among the records (``"0"`` when empty)."""
        if self.pinned_version is not None:
            return self.pinned_version
        xacts = [str(r["_xact_id"]) for r in self.fetch() if r.get("_xact_id") is not None]
        return max(xacts) if xacts else "0"

    def summarize(self) -> dict[str, Any]:
        self.flush(30)
        body = self.state.api_connection().get(f"/v1/dataset/{self.id}/summarize", {"summarize_data": True})
        return (body or {}).get("data_summary") or {}

    def __repr__(self) -> str:
        return f"Dataset(project={self.project_name!r}, version={self.pinned_version!r})"


def init_dataset(project: str | None = None, name: str = "logs", *, description: str | None = None,
                 metadata: dict[str, Any] | None = None, version: str | int | None = None,
                 project_id: str | None = None, api_key: str | None = None, app_url: str | None = None,
                 api_url: str | None = None, org_name: str | None = None) -> Dataset:
    """A dataset of ``project`` (get-or-create by name); ``version`` pins it read-only."""
    state = state_for(api_key=api_key, app_url=app_url, api_url=api_url, org_name=org_name)
    return Dataset(state, project, name, project_id=project_id, description=description, metadata=metadata,
                   version=version)
