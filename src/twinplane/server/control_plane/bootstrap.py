"""First-start setup for ``twinplane up``: local secrets, and an admin, org, data plane and key.

Both functions are idempotent: later calls find what the first one made. Plaintext
credentials are returned only by the call that created them (the caller keeps them).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from twinplane.server.common.envelope import generate_key_entry
from twinplane.server.control_plane.migrations import upgrade_to_head
from twinplane.server.control_plane.runtime import build_runtime
from twinplane.server.control_plane.services.browser_tokens import generate_private_key_pem
from twinplane.server.settings import ControlPlaneSettings

__all__ = ["ensure_local_secrets", "ensure_bootstrap", "BootstrapResult"]

logger = logging.getLogger(__name__)
SECRETS_FILE = "control-secrets.json"
JWT_KEY_FILE = "control-jwt.pem"
BOOTSTRAP_KEY_NAME = "bootstrap"


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` readable by its owner only, from the first byte on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def ensure_local_secrets(data_dir: str) -> dict[str, str]:
    """Generate (once) the control plane's secrets under ``data_dir``; env var name -> value."""
    root = Path(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    secrets_path, pem_path = root / SECRETS_FILE, root / JWT_KEY_FILE
    if not pem_path.exists():
        _write_private(pem_path, generate_private_key_pem())
    if secrets_path.exists():
        values: dict[str, str] = json.loads(secrets_path.read_text())
    else:
        values = {
            "TWINPLANE_CONTROL_KEK": generate_key_entry("1"),
            "TWINPLANE_CONTROL_API_KEY_PEPPER": base64.b64encode(secrets.token_bytes(32)).decode(),
            "TWINPLANE_CONTROL_SESSION_SECRET": secrets.token_urlsafe(48),
        }
        _write_private(secrets_path, json.dumps(values, indent=2).encode())
    values["TWINPLANE_CONTROL_JWT_PRIVATE_KEY_PATH"] = str(pem_path.resolve())
    return values


@dataclass(frozen=True)
class BootstrapResult:
    org_id: str
    org_name: str
    user_id: str
    data_plane_id: str
    service_token: str | None
    api_key: str | None
    created: bool


def ensure_bootstrap(settings: ControlPlaneSettings, *, admin_email: str, admin_password: str, org_name: str,
                     data_plane_api_url: str, data_plane_proxy_url: str | None = None) -> BootstrapResult:
    upgrade_to_head(settings.database_url)
    rt = build_runtime(settings)
    try:
        store = rt.store
        created = False
        user = store.get_user_by_email(admin_email.strip().lower())
        if user is None:
            user = rt.accounts.create_local_user(admin_email, admin_password, name="Admin")
            created = True
        org = store.get_org_by_name(org_name)
        if org is None:
            org = store.create_org(org_name, user["id"])
            created = True
        elif store.get_role(org["id"], user["id"]) is None:
            store.add_member(org["id"], user["id"], "owner")
        service_token = None
        dp = rt.data_planes.of_org(org["id"])
        if dp is None:
            dp, service_token = rt.data_planes.register(org["id"], data_plane_api_url, data_plane_proxy_url)
            created = True
        elif (dp["api_url"], dp["proxy_url"]) != (data_plane_api_url.rstrip("/"),
                                                  (data_plane_proxy_url or "").rstrip("/") or None):
            dp = rt.data_planes.set_urls(org["id"], data_plane_api_url, data_plane_proxy_url)
        api_key = None
        keys, _ = store.list_api_keys(org["id"], 1000, None, user_id=user["id"])
        if not any(k["name"] == BOOTSTRAP_KEY_NAME and k["revoked_at"] is None for k in keys):
            _, api_key = rt.api_keys.create_for_user(org["id"], user["id"], BOOTSTRAP_KEY_NAME)
            created = True
        return BootstrapResult(org_id=org["id"], org_name=org["name"], user_id=user["id"], data_plane_id=dp["id"],
                               service_token=service_token, api_key=api_key, created=created)
    finally:
        rt.engine.dispose()
