"""Prompts: load a versioned prompt from the data plane and render it with variables.

``load_prompt(project, slug, version=...)`` reads ``GET /v1/prompt``; ``prompt.build(**vars)``
renders the mustache templates locally and returns the arguments of a chat (or completion)
call: ``{**params, "model", "messages" | "prompt", "span_info"}``. ``create_prompt`` writes a
new version through ``POST /v1/prompt``.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from typing import Any

from twinplane.sdk.errors import APIError, LoginError, NotFoundError
from twinplane.sdk.mustache import render
from twinplane.sdk.prompt_cache import PromptCache
from twinplane.sdk.retry import RETRYABLE_STATUS
from twinplane.sdk.state import State, state_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prompt:
    id: str
    project_id: str
    slug: str
    name: str | None
    version: str
    prompt_data: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    tags: list[str] | None = None

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Prompt:
        for key in ("id", "project_id", "slug"):
            if not isinstance(obj.get(key), str):
                raise APIError(f"the data plane answered a prompt without {key}")
        return cls(id=obj["id"], project_id=obj["project_id"], slug=obj["slug"], name=obj.get("name"),
                   version=str(obj.get("_xact_id") or ""), prompt_data=obj.get("prompt_data") or {},
                   description=obj.get("description"), tags=obj.get("tags"))

    @property
    def options(self) -> dict[str, Any]:
        return self.prompt_data.get("options") or {}

    def build(self, strict: bool = False, **variables: Any) -> dict[str, Any]:
        """Render the prompt with ``variables`` into the arguments of an LLM call."""
        options = self.options
        out: dict[str, Any] = dict(options.get("params") or {})
        if options.get("model"):
            out["model"] = options["model"]
        body = self.prompt_data.get("prompt") or {}
        kind = body.get("type", "chat")
        if kind == "completion":
            out["prompt"] = render(str(body.get("content") or ""), variables, strict)
        else:
            messages = []
            for msg in body.get("messages") or []:
                m = copy.deepcopy(msg)
                content = m.get("content")
                if isinstance(content, str):
                    m["content"] = render(content, variables, strict)
                elif isinstance(content, list):
                    for part in content:
                        if isinstance(part, dict) and isinstance(part.get("text"), str):
                            part["text"] = render(part["text"], variables, strict)
                messages.append(m)
            out["messages"] = messages
            if body.get("tools"):
                out["tools"] = body["tools"]
        out["span_info"] = {"metadata": {"prompt": {"id": self.id, "project_id": self.project_id,
                                                     "version": self.version, "variables": variables}}}
        return out


def _state(api_key: str | None, app_url: str | None, api_url: str | None, org_name: str | None) -> State:
    return state_for(api_key=api_key, app_url=app_url, api_url=api_url, org_name=org_name)


def load_prompt(project: str | None = None, slug: str | None = None, *, version: str | int | None = None,
                project_id: str | None = None, id: str | None = None, api_key: str | None = None,
                app_url: str | None = None, api_url: str | None = None, org_name: str | None = None) -> Prompt:
    """Load a prompt by project and slug (optionally at ``version``), or by ``id``.
    Raises :class:`NotFoundError` when there is none. When the data plane cannot be reached, the
    copy cached by the last successful load is returned (see ``TWINPLANE_PROMPT_CACHE_DIR``)."""
    state = _state(api_key, app_url, api_url, org_name)
    if not id and (not slug or (project is None and project_id is None)):
        raise ValueError("load_prompt needs project (or project_id) and slug, or id")
    cache = PromptCache(state.config.prompt_cache_dir)
    key = (state.config.api_url or state.config.app_url, state.config.org_name or "", id or "",
           project_id or project or "", slug or "", str(version) if version is not None else "")
    try:
        obj = _fetch_prompt(state, project, slug, version, project_id, id)
    except (APIError, LoginError) as exc:
        status = getattr(exc, "status", None)
        if status is not None and status not in RETRYABLE_STATUS:
            raise
        cached = cache.get(key)
        if cached is None:
            raise
        logger.warning("twinplane: data plane unreachable (%s); using the cached prompt %r", exc, slug or id)
        return Prompt.from_wire(cached)
    cache.put(key, obj)
    return Prompt.from_wire(obj)


def _fetch_prompt(state: State, project: str | None, slug: str | None, version: str | int | None,
                  project_id: str | None, id: str | None) -> dict[str, Any]:
    api = state.api_connection()
    params: dict[str, Any] = {"version": str(version) if version is not None else None}
    if id:
        obj = api.get(f"/v1/prompt/{id}", params)
    else:
        found = api.get("/v1/prompt", {"project_name": project, "project_id": project_id, "slug": slug, **params})
        objects = (found or {}).get("objects") or []
        if not objects:
            raise NotFoundError(f"prompt {slug!r} not found in project {project or project_id!r}")
        if len(objects) > 1:
            raise APIError(f"more than one prompt answers slug {slug!r}")
        obj = objects[0]
    if not isinstance(obj, dict):
        raise APIError("the data plane answered a prompt that is not an object")
    return obj


def create_prompt(project: str | None, slug: str, *, name: str | None = None, messages: list[dict[str, Any]] | None = None,
                  prompt: str | None = None, model: str | None = None, params: dict[str, Any] | None = None,
                  tools: list[dict[str, Any]] | None = None, description: str | None = None,
                  tags: list[str] | None = None, project_id: str | None = None, api_key: str | None = None,
                  app_url: str | None = None, api_url: str | None = None, org_name: str | None = None) -> Prompt:
    """Create a prompt, or a new version of the prompt with this slug: chat ``messages`` or a
    completion ``prompt`` template, plus ``model`` and ``params``."""
    if (messages is None) == (prompt is None):
        raise ValueError("give either messages= (chat) or prompt= (completion)")
    state = _state(api_key, app_url, api_url, org_name)
    proj = state.project(project, project_id)
    body_prompt: dict[str, Any] = ({"type": "chat", "messages": messages, "tools": tools} if messages is not None
                                   else {"type": "completion", "content": prompt})
    options: dict[str, Any] = {}
    if model:
        options["model"] = model
    if params:
        options["params"] = params
    body = {"project_id": proj["id"], "name": name or slug, "slug": slug, "description": description,
            "prompt_data": {"prompt": body_prompt, "options": options}, "tags": tags}
    return Prompt.from_wire(state.api_connection().post("/v1/prompt", body, retry=False))
