"""An existing experiment opened for reading (``init(project, experiment, open=True)``).

Its records page through the data plane (``fetch``), and its root spans can serve as the
data of another evaluation (``as_dataset``: each root's input, expected, metadata and
tags). It cannot log: it has no ``log`` or ``start_span``. Nothing is created: an experiment
(or project) that does not exist is a ``NotFoundError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from twinplane.sdk.errors import APIError, NotFoundError
from twinplane.sdk.state import State

_CASE_KEYS = ("expected", "metadata", "tags")  # beside input, when set


class ReadonlyExperiment:
    def __init__(self, state: State, project: str | None, name: str, *, project_id: str | None = None) -> None:
        if project is None and project_id is None:
            raise ValueError("init(open=True) needs a project name or project_id")
        if not name:
            raise ValueError("init(open=True) needs the experiment's name")
        self.state = state
        self.project_name = project
        self._project_id = project_id
        self._name = name
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The experiment as the data plane describes it (id, name, project_id, ...)."""
        if self._data is None:
            query: dict[str, Any] = {"experiment_name": self._name, "org_name": self.state.org.name}
            if self._project_id:
                query["project_id"] = self._project_id
            else:
                query["project_name"] = self.project_name
            found = self.state.api_connection().get("/v1/experiment", query)
            objects = (found or {}).get("objects") if isinstance(found, dict) else None
            if not objects:
                where = self._project_id or self.project_name
                raise NotFoundError(f"no experiment named {self._name!r} in project {where!r}")
            if not isinstance(objects[0], dict) or not isinstance(objects[0].get("id"), str):
                raise APIError("the data plane answered an experiment without an id")
            self._data = objects[0]
        return self._data

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def name(self) -> str:
        return str(self.data.get("name", self._name))

    def fetch(self) -> Iterator[dict[str, Any]]:
        """Every current record (span) of the experiment, a page at a time."""
        return self.state.api_connection().fetch_events(f"/v1/experiment/{self.id}/fetch")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.fetch()

    def as_dataset(self) -> Iterator[dict[str, Any]]:
        """Each root span as an evaluation case: its input, expected, metadata and tags."""
        for record in self.fetch():
            if record.get("span_parents"):
                continue
            case = {"input": record.get("input")}
            case.update((k, record[k]) for k in _CASE_KEYS if record.get(k) is not None)
            yield case

    def __repr__(self) -> str:
        return f"ReadonlyExperiment(project={self.project_name!r}, name={self._name!r})"
