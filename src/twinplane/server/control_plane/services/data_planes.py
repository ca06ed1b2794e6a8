"""Each org's data plane: its public URLs and the service token it presents on internal calls.

URLs are validated (http/https, a host, no credentials, query or fragment) because the SDK
and browsers are sent to them with credentials.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from twinplane.server.common import credential
from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.store import ControlStore, new_id, now

__all__ = ["DataPlanes", "SERVICE_TOKEN_PREFIX", "clean_url", "origin_of"]

logger = logging.getLogger(__name__)
SERVICE_TOKEN_PREFIX = "tps"  # noqa: S105 - a public prefix, not a secret


def clean_url(url: str | None, what: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(f"{what} must be an http:// or https:// URL with a host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise BadRequest(f"{what} must not contain credentials, a query or a fragment")
    if len(url) > 2000:
        raise BadRequest(f"{what} is too long")
    return url.rstrip("/")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "org_id": row["org_id"], "api_url": row["api_url"], "proxy_url": row["proxy_url"],
            "created": row["created"], "updated": row["updated"]}


class DataPlanes:
    def __init__(self, store: ControlStore, pepper: bytes) -> None:
        self.store = store
        self._pepper = pepper

    def register(self, org_id: str, api_url: str, proxy_url: str | None) -> tuple[dict[str, Any], str]:
        """Register the org's data plane; returns (row, service token shown once)."""
        cred = credential.generate(SERVICE_TOKEN_PREFIX)
        t = now()
        row = {"id": new_id(), "org_id": org_id, "api_url": clean_url(api_url, "api_url"),
               "proxy_url": clean_url(proxy_url, "proxy_url") if proxy_url else None,
               "token_lookup": cred.lookup, "token_digest": credential.digest(self._pepper, cred.value),
               "created": t, "updated": t}
        self.store.insert_data_plane(row)
        logger.info("data plane %s registered for org %s", row["id"], org_id)
        return row, cred.value

    def of_org(self, org_id: str) -> dict[str, Any] | None:
        return self.store.get_data_plane_of_org(org_id)

    def set_urls(self, org_id: str, api_url: str, proxy_url: str | None) -> dict[str, Any]:
        values = {"api_url": clean_url(api_url, "api_url"),
                  "proxy_url": clean_url(proxy_url, "proxy_url") if proxy_url else None}
        self.store.update_data_plane(org_id, values)
        row = self.of_org(org_id)
        assert row is not None
        return row

    def rotate_token(self, org_id: str) -> str:
        cred = credential.generate(SERVICE_TOKEN_PREFIX)
        self.store.update_data_plane(org_id, {"token_lookup": cred.lookup,
                                              "token_digest": credential.digest(self._pepper, cred.value)})
        logger.info("service token rotated for the data plane of org %s", org_id)
        return cred.value

    def authenticate(self, token: str | None) -> dict[str, Any] | None:
        lookup = credential.parse(token or "", SERVICE_TOKEN_PREFIX)
        if lookup is None:
            return None
        row = self.store.get_data_plane_by_token_lookup(lookup)
        if row is None or not credential.matches(self._pepper, token or "", row["token_digest"]):
            return None
        return row

    # for users -------------------------------------------------------------------------

    def get_for(self, principal: Principal, org_id: str) -> dict[str, Any]:
        principal.role_in(self.store, org_id)
        principal.require_org_wide()
        row = self.of_org(org_id)
        if row is None:  # not registered yet: the settings page shows an empty form
            return {"id": None, "org_id": org_id, "api_url": None, "proxy_url": None, "created": None,
                    "updated": None}
        return public(row)

    def put_for(self, principal: Principal, org_id: str, api_url: str,
                proxy_url: str | None) -> tuple[dict[str, Any], str | None]:
        """Set the URLs; registering for the first time also returns the new service token."""
        principal.require_org_wide()
        principal.require(self.store, org_id, "admin")
        if self.of_org(org_id) is None:
            row, token = self.register(org_id, api_url, proxy_url)
            return public(row), token
        return public(self.set_urls(org_id, api_url, proxy_url)), None

    def rotate_for(self, principal: Principal, org_id: str) -> str:
        principal.require_org_wide()
        principal.require(self.store, org_id, "admin")
        if self.of_org(org_id) is None:
            raise NotFound("this organization has no data plane registered yet")
        return self.rotate_token(org_id)

    def connect_origins_of(self, user_id: str) -> list[str]:
        return sorted({origin_of(u) for u in self.store.data_plane_urls_of_user(user_id)})
