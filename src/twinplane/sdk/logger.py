"""Project logs (``init_logger``): production traces of an application."""

from __future__ import annotations

from typing import Any

from twinplane.sdk.object_ref import ObjectRef
from twinplane.sdk.state import State, state_for
from twinplane.sdk.traced_object import TracedObject


class Logger(TracedObject):
    """Logs spans to a project's logs; the project is registered lazily, off the caller's thread."""

    root_type = "task"

    def __init__(self, state: State, project: str | None = None, project_id: str | None = None) -> None:
        if project is None and project_id is None:
            raise ValueError("init_logger needs project= or project_id=")
        self.project_name = project

        def resolve() -> dict[str, Any]:
            return state.project(project, project_id)

        super().__init__(state, ObjectRef("project_logs", resolve, label=project or project_id or "",
                                          hints={"project_name": project} if project else {}))

    @property
    def project(self) -> dict[str, Any]:
        return self.ref.metadata()

    def __repr__(self) -> str:
        return f"Logger(project={self.project_name!r})"


def init_logger(project: str | None = None, *, project_id: str | None = None, api_key: str | None = None,
                app_url: str | None = None, api_url: str | None = None, org_name: str | None = None,
                set_current: bool = True) -> Logger:
    """A logger of ``project``'s logs; ``start_span``/``traced`` log to it while it is current."""
    state = state_for(api_key=api_key, app_url=app_url, api_url=api_url, org_name=org_name)
    lg = Logger(state, project, project_id)
    if set_current:
        state.current_object = lg
    return lg
