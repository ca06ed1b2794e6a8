"""Experiments (``init``): one run of an application over a set of cases, compared to a baseline."""

from __future__ import annotations

import logging
from typing import Any, Literal, overload

from twinplane.sdk.errors import APIError
from twinplane.sdk.object_ref import ObjectRef
from twinplane.sdk.readonly_experiment import ReadonlyExperiment
from twinplane.sdk.state import State, state_for
from twinplane.sdk.summary import ExperimentSummary
from twinplane.sdk.traced_object import TracedObject

logger = logging.getLogger(__name__)


class Experiment(TracedObject):
    """An experiment; created on the data plane when first needed (first flush, ``.id`` or ``.name``)."""

    root_type = "eval"

    def __init__(self, state: State, project: str | None, name: str | None = None, *, project_id: str | None = None,
                 description: str | None = None, dataset: Any = None, update: bool = False,
                 base_experiment: str | None = None, base_experiment_id: str | None = None,
                 metadata: dict[str, Any] | None = None, tags: list[str] | None = None) -> None:
        if project is None and project_id is None:
            raise ValueError("init needs a project name or project_id")
        self.project_name = project
        self._requested_name = name

        def resolve() -> dict[str, Any]:
            api = state.api_connection()
            proj = state.project(project, project_id)
            base_id = base_experiment_id
            if base_experiment and not base_id:
                found = api.get("/v1/experiment", {"experiment_name": base_experiment, "project_id": proj["id"],
                                                   "org_name": state.org.name})
                objects = (found or {}).get("objects") or []
                if objects:
                    base_id = objects[0]["id"]
                else:
                    logger.warning("twinplane: base experiment %r not found", base_experiment)
            body: dict[str, Any] = {"project_id": proj["id"], "ensure_new": not update, "public": False}
            for key, value in (("name", name), ("description", description), ("base_exp_id", base_id),
                               ("metadata", metadata), ("tags", tags)):
                if value is not None:
                    body[key] = value
            if dataset is not None:
                body["dataset_id"] = dataset.id
                body["dataset_version"] = dataset.version
            exp = api.post("/v1/experiment", body, retry=False)
            if not isinstance(exp, dict) or not isinstance(exp.get("id"), str):
                raise APIError("the data plane answered an experiment without an id")
            exp.setdefault("project_name", proj.get("name"))
            return exp

        super().__init__(state, ObjectRef("experiment", resolve, label=name or "", hints={}))

    @property
    def data(self) -> dict[str, Any]:
        """The experiment as the data plane described it (id, name, base_exp_id, ...)."""
        return self.ref.metadata()

    @property
    def name(self) -> str:
        return str(self.data.get("name"))

    def summarize(self, comparison_experiment_id: str | None = None, timeout: float | None = 30.0
                  ) -> ExperimentSummary | None:
        """Flush, then ask the data plane for the score summary against the baseline (None if it cannot)."""
        self.flush(timeout)
        base = comparison_experiment_id or self.data.get("base_exp_id") or None
        try:
            body = self.state.api_connection().get(
                f"/v1/experiment/{self.id}/summarize",
                {"summarize_scores": True, "comparison_experiment_id": base},
            )
        except Exception as exc:  # noqa: BLE001 - a summary is informative, never fatal
            logger.warning("twinplane: summary skipped, the experiment comparison could not be retrieved (%s)", exc)
            return None
        if not isinstance(body, dict):
            return None
        summary = ExperimentSummary.from_wire(body)
        if summary.experiment_name is None:
            summary = ExperimentSummary.from_wire({**body, "experiment_name": self.name,
                                                   "project_name": self.project_name})
        return summary

    def __repr__(self) -> str:
        return f"Experiment(project={self.project_name!r}, name={self._requested_name!r})"


@overload
def init(project: str | None = None, experiment: str | None = None, *, description: str | None = None,
         dataset: Any = None, update: bool = False, base_experiment: str | None = None,
         base_experiment_id: str | None = None, project_id: str | None = None,
         metadata: dict[str, Any] | None = None, tags: list[str] | None = None, api_key: str | None = None,
         app_url: str | None = None, api_url: str | None = None, org_name: str | None = None,
         set_current: bool = True, open: Literal[False] = False) -> Experiment: ...


@overload
def init(project: str | None = None, experiment: str | None = None, *, project_id: str | None = None,
         api_key: str | None = None, app_url: str | None = None, api_url: str | None = None,
         org_name: str | None = None, open: Literal[True]) -> ReadonlyExperiment: ...


def init(project: str | None = None, experiment: str | None = None, *, description: str | None = None,
         dataset: Any = None, update: bool = False, base_experiment: str | None = None,
         base_experiment_id: str | None = None, project_id: str | None = None,
         metadata: dict[str, Any] | None = None, tags: list[str] | None = None, api_key: str | None = None,
         app_url: str | None = None, api_url: str | None = None, org_name: str | None = None,
         set_current: bool = True, open: bool = False) -> Experiment | ReadonlyExperiment:
    """Start an experiment in ``project``. ``update=True`` reuses an experiment of that name;
    ``open=True`` opens an existing one for reading (``ReadonlyExperiment``) and creates nothing."""
    state = state_for(api_key=api_key, app_url=app_url, api_url=api_url, org_name=org_name)
    if open:
        if any(v for v in (description, dataset, update, base_experiment, base_experiment_id, metadata, tags)):
            raise ValueError("init(open=True) reads an existing experiment: it takes no settings for a new one")
        return ReadonlyExperiment(state, project, experiment or "", project_id=project_id)
    exp = Experiment(state, project, experiment, project_id=project_id, description=description, dataset=dataset,
                     update=update, base_experiment=base_experiment, base_experiment_id=base_experiment_id,
                     metadata=metadata, tags=tags)
    if set_current:
        state.current_object = exp
    return exp
