"""Object identities on the wire: which fields of a row name the object it belongs to."""

from __future__ import annotations

from typing import Any, Literal

ObjectType = Literal["experiment", "dataset", "project_logs", "playground_logs", "project_prompts"]
OBJECT_TYPES: tuple[str, ...] = ("experiment", "dataset", "project_logs", "playground_logs", "project_prompts")

# log_id values the SDK uses for objects scoped to a project
LOG_ID_PROJECT_LOGS = "g"
LOG_ID_PLAYGROUND = "x"
LOG_ID_PROMPTS = "p"

# every field that can name a row's object (the overflow slot request lists those a row holds)
OBJECT_ID_KEYS = ("experiment_id", "dataset_id", "prompt_session_id", "project_id", "log_id", "function_data")


def row_object(row: dict[str, Any]) -> tuple[str, str]:
    """Return ``(object_type, object_id)`` named by a row's identity fields.

    Raises ValueError when the row names no object or more than one.
    """
    found: list[tuple[str, str]] = []
    if isinstance(row.get("experiment_id"), str):
        found.append(("experiment", row["experiment_id"]))
    if isinstance(row.get("dataset_id"), str):
        found.append(("dataset", row["dataset_id"]))
    if isinstance(row.get("prompt_session_id"), str):
        found.append(("playground_logs", row["prompt_session_id"]))
    log_id = row.get("log_id")
    if isinstance(row.get("project_id"), str) and not found:
        if log_id == LOG_ID_PROJECT_LOGS:
            found.append(("project_logs", row["project_id"]))
        elif log_id == LOG_ID_PROMPTS:
            found.append(("project_prompts", row["project_id"]))
    if len(found) != 1:
        raise ValueError(
            "each row must name exactly one object: experiment_id, dataset_id, prompt_session_id, "
            "or project_id with log_id 'g'"
        )
    return found[0]
