"""The SDK's process-wide state: configuration, login, connections and the delivery queue.

One :class:`State` per configuration. :func:`twinplane.login` (and ``init``/``init_logger``
with credentials) replace the default state; tests build their own ``State`` objects.
Login is lazy: nothing touches the network until a call needs the data plane, and rows
logged before that are resolved on the background thread.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from twinplane.sdk.config import Config
from twinplane.sdk.connection import Connection
from twinplane.sdk.delivery import Delivery
from twinplane.sdk.errors import APIError, LoginError
from twinplane.sdk.redaction import mask_key
from twinplane.sdk.retry import RetryPolicy

logger = logging.getLogger(__name__)

# Seconds during which a failed login is not retried (except by an explicit login call).
LOGIN_RETRY_AFTER = 10.0


@dataclass(frozen=True)
class OrgInfo:
    id: str
    name: str
    api_url: str
    proxy_url: str


class State:
    """Credentials, connections and the delivery queue of one configuration."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.from_env()
        self._lock = threading.RLock()
        self._org: OrgInfo | None = None
        self._api: Connection | None = None
        self._projects: dict[str, dict[str, Any]] = {}
        self._login_failure: tuple[float, str] | None = None
        self.delivery = Delivery(self.config, self.api_connection)
        self.current_object: Any = None  # the Logger/Experiment start_span falls back to
        _STATES.add(self)

    # -- login ---------------------------------------------------------------------------------
    def login(self, force: bool = False) -> OrgInfo:
        """Log in at the control plane (or the data plane, which forwards it); cached."""
        with self._lock:
            if self._org is not None and not force:
                return self._org
            cfg = self.config
            if not cfg.api_key:
                raise LoginError("no API key: pass api_key= or set TWINPLANE_API_KEY")
            # after a failure, the delivery thread would otherwise retry the login on every cycle
            failed = self._login_failure
            if failed is not None and not force and time.monotonic() - failed[0] < LOGIN_RETRY_AFTER:
                raise LoginError(failed[1])
            app = Connection(cfg.app_url, cfg.api_key, timeout=min(cfg.http_timeout, 20.0),
                             policy=RetryPolicy(retries=cfg.num_retries, max_backoff=cfg.max_backoff))
            try:
                body = app.post("/api/apikey/login")
                org = self._choose_org(body)
            except (APIError, LoginError) as exc:
                message = str(exc) if isinstance(exc, LoginError) else (
                    f"login with key {mask_key(cfg.api_key)} at {cfg.app_url} failed: {exc}")
                self._login_failure = (time.monotonic(), message)
                raise LoginError(message) from None
            finally:
                app.close()
            self._login_failure = None
            self._org = org
            self._api = Connection(self._org.api_url, cfg.api_key, timeout=cfg.http_timeout,
                                   policy=RetryPolicy(retries=cfg.num_retries, max_backoff=cfg.max_backoff))
            return self._org

    def _choose_org(self, body: Any) -> OrgInfo:
        orgs = body.get("org_info") if isinstance(body, dict) else None
        if not isinstance(orgs, list) or not orgs:
            raise LoginError("this API key belongs to no organization")
        chosen = None
        for org in orgs:
            if not isinstance(org, dict) or not isinstance(org.get("id"), str) or not isinstance(org.get("name"), str):
                raise LoginError("login answered an organization without id and name")
            if self.config.org_name is None or org["name"] == self.config.org_name:
                chosen = org
                break
        if chosen is None:
            raise LoginError(f"organization {self.config.org_name!r} not found for this API key")
        api_url = self.config.api_url or (chosen.get("api_url") if isinstance(chosen.get("api_url"), str) else None)
        if not api_url:
            raise LoginError("login returned no data-plane URL (api_url); set TWINPLANE_API_URL")
        proxy_url = chosen.get("proxy_url")
        proxy: str = proxy_url if isinstance(proxy_url, str) and proxy_url else api_url
        return OrgInfo(id=chosen["id"], name=chosen["name"], api_url=api_url.rstrip("/"), proxy_url=proxy.rstrip("/"))

    @property
    def org(self) -> OrgInfo:
        return self.login()

    def api_connection(self) -> Connection:
        """The data-plane connection (logs in first if needed)."""
        self.login()
        assert self._api is not None
        return self._api

    # -- names ---------------------------------------------------------------------------------
    def project(self, name: str | None = None, project_id: str | None = None) -> dict[str, Any]:
        """Get-or-create a project by name (or fetch it by id); cached for the life of the state."""
        key = f"id:{project_id}" if project_id else f"name:{name}"
        with self._lock:
            cached = self._projects.get(key)
        if cached is not None:
            return cached
        api = self.api_connection()
        if project_id:
            proj = api.get(f"/v1/project/{project_id}")
        else:
            proj = api.post("/v1/project", {"name": name or "Global", "org_name": self.org.name})
        if not isinstance(proj, dict) or not isinstance(proj.get("id"), str):
            raise APIError("the data plane answered a project without an id")
        with self._lock:
            self._projects[key] = proj
            self._projects[f"id:{proj['id']}"] = proj
        return proj

    # -- lifecycle -----------------------------------------------------------------------------
    def reset_after_fork(self) -> None:
        self._lock = threading.RLock()
        if self._api is not None:
            self._api.reset_after_fork()
        self.delivery.reset_after_fork()

    def shutdown(self, timeout: float | None = None) -> None:
        self.delivery.close(timeout)


# Every live state, so the fork and exit hooks reach them without keeping them alive.
_STATES: weakref.WeakSet[State] = weakref.WeakSet()
_default: State | None = None
_default_lock = threading.Lock()
_hooks_installed = False


def _after_fork_in_child() -> None:
    global _default_lock
    from twinplane.sdk.object_ref import reset_all_after_fork

    _default_lock = threading.Lock()
    reset_all_after_fork()
    for state in list(_STATES):
        state.reset_after_fork()


def _at_exit() -> None:
    for state in list(_STATES):
        if state.config.atexit_flush:
            try:
                state.delivery.flush(timeout=state.config.atexit_flush_timeout)
            except Exception:  # the exit of the host program must never fail because of us
                logger.debug("exit-time flush failed", exc_info=True)


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)


def get_state() -> State:
    """The default state, created from the environment on first use."""
    global _default
    state = _default
    if state is None:
        with _default_lock:
            if _default is None:
                _install_hooks()
                _default = State()
            state = _default
    return state


def set_state(state: State) -> State:
    """Make ``state`` the default (``login`` does this); the previous one is flushed in the background."""
    global _default
    _install_hooks()
    with _default_lock:
        old, _default = _default, state
    if old is not None and old is not state:
        old.delivery.flush(timeout=0)
    return state


def configure(**overrides: Any) -> State:
    """Replace the default state with one built from the environment plus ``overrides``."""
    return set_state(State(Config.from_env(**overrides)))


def state_for(**overrides: Any) -> State:
    """The default state, replaced first when ``overrides`` (non-None) differ from its configuration."""
    given = {k: v for k, v in overrides.items() if v is not None}
    state = get_state()
    if given and any(getattr(state.config, k) != (v.rstrip("/") if k.endswith("_url") else v)
                     for k, v in given.items()):
        state = configure(**given)
    return state
