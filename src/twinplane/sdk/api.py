"""Module-level functions of the public surface that act on the default SDK state."""

from __future__ import annotations

import logging
from typing import Any

from twinplane.sdk.config import Config
from twinplane.sdk.delivery import DeliveryStats, FlushResult
from twinplane.sdk.state import OrgInfo, State, get_state, set_state

logger = logging.getLogger(__name__)


def login(api_key: str | None = None, app_url: str | None = None, api_url: str | None = None,
          org_name: str | None = None, *, force_login: bool = False, **settings: Any) -> OrgInfo:
    """Log in now (otherwise the SDK logs in lazily). Arguments override ``TWINPLANE_*`` variables;
    ``settings`` are other :class:`~twinplane.sdk.config.Config` fields (``atexit_flush=False``, ...).
    Raises :class:`~twinplane.sdk.errors.LoginError`."""
    overrides = {"api_key": api_key, "app_url": app_url, "api_url": api_url, "org_name": org_name, **settings}
    state = get_state()
    if any(v is not None for v in overrides.values()) or force_login:
        state = set_state(State(Config.from_env(**overrides)))
    return state.login(force=force_login)


def flush(timeout: float | None = None) -> FlushResult:
    """Send what was logged so far; returns within ``timeout`` seconds with what was sent or not."""
    return get_state().delivery.flush(timeout)


def delivery_stats() -> DeliveryStats:
    """Counters of sent and dropped rows, and how many are pending."""
    return get_state().delivery.stats()


def log_feedback(id: str, *, scores: dict[str, float | None] | None = None, expected: Any = None,
                 tags: list[str] | None = None, comment: str | None = None, metadata: dict[str, Any] | None = None,
                 source: str = "external") -> None:
    """Feedback on a span of the current logger or experiment (see ``Logger.log_feedback``)."""
    obj = get_state().current_object
    if obj is None:
        logger.warning("twinplane: log_feedback ignored, no current logger or experiment (call init_logger first)")
        return
    obj.log_feedback(id, scores=scores, expected=expected, tags=tags, comment=comment, metadata=metadata,
                     source=source)
