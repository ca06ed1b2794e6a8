"""An authenticated HTTP connection to one base URL (control plane or data plane).

Wraps one ``httpx.Client``; reads are retried by :class:`RetryPolicy`, writes only when
the caller says they are idempotent. Errors become :class:`APIError` with the server's
``{"error": {"code", "message"}}`` when it sent one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson

from twinplane import __version__
from twinplane.sdk.errors import APIError
from twinplane.sdk.retry import RetryPolicy

logger = logging.getLogger(__name__)

_PAGE_ROWS = 1000
_MAX_PAGES = 10_000


def _error_message(resp: httpx.Response) -> tuple[str, str | None]:
    try:
        body = resp.json()
    except ValueError:
        return (resp.text[:300] or resp.reason_phrase), None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        return str(err.get("message") or ""), (str(err["code"]) if err.get("code") else None)
    return resp.text[:300], None


class Connection:
    """HTTP client for one base URL, shareable between threads."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float = 30.0, policy: RetryPolicy | None = None):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self.policy = policy or RetryPolicy()
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None

    def _get_client(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    headers = {"User-Agent": f"twinplane-python/{__version__}"}
                    if self._api_key:
                        headers["Authorization"] = f"Bearer {self._api_key}"
                    self._client = httpx.Client(
                        headers=headers,
                        timeout=httpx.Timeout(self._timeout, connect=min(5.0, self._timeout)),
                        follow_redirects=False,
                    )
                client = self._client
        return client

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def reset_after_fork(self) -> None:
        """Forget the parent's sockets; the child opens its own (never close the parent's)."""
        self._lock = threading.Lock()
        self._client = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def send(self, method: str, path: str, *, content: bytes | None = None, json: Any = None,
             params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             timeout: float | None = None) -> httpx.Response:
        """One attempt; network errors propagate as ``httpx.HTTPError``."""
        if json is not None:
            content = orjson.dumps(json, option=orjson.OPT_NON_STR_KEYS)
            headers = {**(headers or {}), "Content-Type": "application/json"}
        clean = {k: ("true" if v is True else "false" if v is False else v) for k, v in (params or {}).items()
                 if v is not None}
        return self._get_client().request(
            method, self.url(path), content=content, params=clean or None, headers=headers,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )

    def send_signed(self, method: str, url: str, *, content: bytes | None = None,
                    headers: dict[str, str] | None = None, data: dict[str, str] | None = None,
                    files: dict[str, Any] | None = None) -> httpx.Response:
        """One attempt at an absolute URL the server signed (an upload slot), exactly as given and
        without this connection's ``Authorization`` header: the signature is the credential."""
        client = self._get_client()
        request = client.build_request(method, url, content=content, headers=headers, data=data, files=files)
        for name in ("Authorization", "Cookie"):
            request.headers.pop(name, None)
        return client.send(request)

    def request_json(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                     retry: bool = True, deadline: float | None = None) -> Any:
        """Send, retrying when ``retry`` (idempotent calls), and return the parsed JSON body."""
        attempt = 0
        while True:
            status: int | None = None
            retry_after = None
            try:
                resp = self.send(method, path, json=json, params=params)
                status = resp.status_code
                if 200 <= status < 300:
                    if not resp.content:
                        return None
                    return orjson.loads(resp.content)
                retry_after = resp.headers.get("retry-after")
                message, code = _error_message(resp)
                err: Exception = APIError(f"{method} {path} failed ({status}): {message}", status=status, code=code)
            except httpx.HTTPError as exc:
                err = APIError(f"{method} {path} failed: {type(exc).__name__}: {exc}")
            except orjson.JSONDecodeError as exc:
                raise APIError(f"{method} {path} answered invalid JSON: {exc}", status=status) from None
            if not retry or attempt >= self.policy.retries or not self.policy.should_retry(status):
                raise err
            wait = self.policy.delay(attempt, retry_after)
            if deadline is not None and time.monotonic() + wait > deadline:
                raise err
            logger.debug("retrying %s %s in %.2fs (status %s)", method, path, wait, status)
            time.sleep(wait)
            attempt += 1

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.request_json("GET", path, params=params, **kw)

    def post(self, path: str, json: Any = None, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.request_json("POST", path, json=json, params=params, **kw)

    def fetch_events(self, path: str, body: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """The events of a ``/v1/{type}/{id}/fetch`` endpoint (``path``), a page at a time, ``body``
        added to every page's request (a dataset's ``version``)."""
        cursor = None
        for _ in range(_MAX_PAGES):
            page_body: dict[str, Any] = {"limit": _PAGE_ROWS, **(body or {})}
            if cursor:
                page_body["cursor"] = cursor
            page = self.post(path, page_body)
            yield from (page or {}).get("events") or []
            cursor = (page or {}).get("cursor")
            if not cursor:
                return
