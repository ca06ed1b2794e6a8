"""SDK configuration: every environment variable the SDK reads, declared once.

Arguments given to :func:`twinplane.login` (or ``init``/``init_logger``) override the
environment. The configuration is read once, when the SDK state is created, and passed
down; nothing else in the SDK reads ``os.environ`` except the LLM scorers' endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

DEFAULT_APP_URL = "http://127.0.0.1:8000"


def _env_bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_num(value: str | None, default: float, cast: type = float) -> Any:
    if value is None or value.strip() == "":
        return default
    try:
        n = cast(value)
    except ValueError:
        return default
    return n if n >= 0 else default


@dataclass(frozen=True)
class Config:
    """Settings of one SDK state. Each field names its environment variable."""

    api_key: str | None = field(default=None, metadata={"env": "TWINPLANE_API_KEY", "doc": "API key (`tpk_...`)."})
    app_url: str = field(
        default=DEFAULT_APP_URL,
        metadata={"env": "TWINPLANE_APP_URL", "doc": "Control-plane URL, used for login only. "
                  "Point it at the data plane for data-plane-only mode."},
    )
    api_url: str | None = field(
        default=None,
        metadata={"env": "TWINPLANE_API_URL", "doc": "Data-plane URL; overrides the `api_url` the login returns."},
    )
    org_name: str | None = field(
        default=None, metadata={"env": "TWINPLANE_ORG_NAME", "doc": "Organization to use when the key has several."}
    )
    queue_size: int = field(
        default=20_000,
        metadata={"env": "TWINPLANE_QUEUE_SIZE", "doc": "Rows held in memory before new ones are dropped (they hold "
                  "references to what was logged, so this bounds the memory an outage can take)."},
    )
    batch_size: int = field(default=200, metadata={"env": "TWINPLANE_BATCH_SIZE", "doc": "Most rows per `/logs3` request."})
    batch_bytes: int = field(
        default=4 * 1024 * 1024,
        metadata={"env": "TWINPLANE_BATCH_BYTES", "doc": "Most bytes per `/logs3` request (lowered to the server's limit)."},
    )
    flush_interval: float = field(
        default=0.5, metadata={"env": "TWINPLANE_FLUSH_INTERVAL", "doc": "Seconds the background thread waits between sends."}
    )
    num_retries: int = field(
        default=3, metadata={"env": "TWINPLANE_NUM_RETRIES", "doc": "Retries of a failed request (429, 5xx, network)."}
    )
    max_backoff: float = field(
        default=10.0, metadata={"env": "TWINPLANE_MAX_BACKOFF", "doc": "Longest wait between retries, `Retry-After` included."}
    )
    http_timeout: float = field(
        default=30.0, metadata={"env": "TWINPLANE_HTTP_TIMEOUT", "doc": "Seconds per HTTP request of the SDK."}
    )
    atexit_flush: bool = field(
        default=True,
        metadata={"env": "TWINPLANE_ATEXIT_FLUSH", "doc": "Flush pending rows when the program exits (`0` turns it off)."},
    )
    atexit_flush_timeout: float = field(
        default=5.0, metadata={"env": "TWINPLANE_ATEXIT_FLUSH_TIMEOUT", "doc": "Longest the exit-time flush may take."}
    )
    prompt_cache_dir: str | None = field(
        default=None,
        metadata={"env": "TWINPLANE_PROMPT_CACHE_DIR", "doc": "Where loaded prompts are cached for when the data "
                  "plane is unreachable (default `~/.twinplane/prompt_cache`; `off` disables)."},
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build from ``env`` (default ``os.environ``); non-None ``overrides`` win."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None:
                continue
            if f.type in ("int",):
                values[f.name] = _env_num(raw, f.default, int)  # type: ignore[arg-type]
            elif f.type in ("float",):
                values[f.name] = _env_num(raw, f.default, float)  # type: ignore[arg-type]
            elif f.type in ("bool",):
                values[f.name] = _env_bool(raw, f.default)  # type: ignore[arg-type]
            else:
                values[f.name] = raw.strip() or None
        if env.get("TWINPLANE_DISABLE_ATEXIT_FLUSH") and _env_bool(env.get("TWINPLANE_DISABLE_ATEXIT_FLUSH"), False):
            values["atexit_flush"] = False
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not values.get("app_url"):
            values.pop("app_url", None)
        cfg = cls(**values)
        return replace(
            cfg,
            app_url=cfg.app_url.rstrip("/"),
            api_url=cfg.api_url.rstrip("/") if cfg.api_url else None,
            api_key=cfg.api_key.strip() if cfg.api_key else None,
        )

    def __repr__(self) -> str:  # never show the key
        shown = ", ".join(
            f"{f.name}={'***' if f.name == 'api_key' and self.api_key else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"Config({shown})"


def documented_variables() -> list[tuple[str, str, str]]:
    """``(variable, default, meaning)`` for every setting; the docs table is checked against it."""
    rows = []
    for f in fields(Config):
        rows.append((f.metadata["env"], repr(f.default), f.metadata["doc"]))
    return rows
