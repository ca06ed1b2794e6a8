"""LLM provider secrets, sealed with AES-256-GCM; plaintext leaves only through ``resolve``.

The associated data binds each ciphertext to its org and secret id, so a ciphertext copied
into another row (or another org) fails to open. ``reseal_all`` re-encrypts everything under
the current key version after a rotation.
"""

from __future__ import annotations

import logging
from typing import Any

from twinplane.server.common.envelope import DecryptionError, KeyRing, Sealed
from twinplane.server.common.errors import BadRequest, NotFound, TwinplaneError
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.services.names import clean_name
from twinplane.server.control_plane.store import ControlStore, Page, new_id, now

__all__ = ["ProviderSecrets", "mask", "associated_data"]

logger = logging.getLogger(__name__)
MAX_SECRET_BYTES = 16 * 1024


def associated_data(org_id: str, secret_id: str) -> bytes:
    return f"twinplane:provider-secret:v1:{org_id}:{secret_id}".encode()


def mask(value: str) -> str:
    """Enough to recognize a key, never enough to use it: 'sk-…abcd'."""
    if len(value) >= 16:
        return f"{value[:3]}…{value[-4:]}"
    return "…" + "•" * 4


def listed(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "provider": row["provider"], "masked": row["masked"],
            "metadata": row["metadata"], "created": row["created"], "updated": row["updated"]}


class ProviderSecrets:
    def __init__(self, store: ControlStore, keyring: KeyRing) -> None:
        self.store = store
        self.keyring = keyring

    def put(self, principal: Principal, org_id: str, name: str, provider: str, value: str,
            metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        principal.require_org_wide()
        principal.require(self.store, org_id, "admin")
        return listed(self.put_in_org(org_id, name, provider, value, metadata))

    def put_in_org(self, org_id: str, name: str, provider: str, value: str,
                   metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        name = clean_name(name, "secret")
        provider = clean_name(provider, "provider", 100)
        if not isinstance(value, str) or not value or len(value.encode()) > MAX_SECRET_BYTES:
            raise BadRequest("the secret value must be a non-empty string of at most 16 KiB")
        existing = self.store.find_secret(org_id, name=name)
        secret_id = existing["id"] if existing else new_id()
        sealed = self.keyring.encrypt(value.encode(), associated_data(org_id, secret_id))
        t = now()
        row = {"id": secret_id, "org_id": org_id, "name": name, "provider": provider,
               "metadata": metadata or {}, "masked": mask(value), "key_version": sealed.key_version,
               "nonce": sealed.nonce, "ciphertext": sealed.ciphertext, "created": t, "updated": t}
        return self.store.upsert_secret(row)

    def list_for(self, principal: Principal, org_id: str, limit: int, cursor: str | None) -> Page:
        principal.role_in(self.store, org_id)
        principal.require_org_wide()
        rows, nxt = self.store.list_secrets(org_id, limit, cursor)
        return [listed(r) for r in rows], nxt

    def delete(self, principal: Principal, org_id: str, secret_id: str) -> None:
        principal.require_org_wide()
        principal.require(self.store, org_id, "admin")
        if not self.store.delete_secret(org_id, secret_id):
            raise NotFound("secret not found")

    def _open(self, row: dict[str, Any]) -> str:
        sealed = Sealed(row["key_version"], bytes(row["nonce"]), bytes(row["ciphertext"]))
        return self.keyring.decrypt(sealed, associated_data(row["org_id"], row["id"])).decode()

    def resolve(self, org_id: str, *, name: str | None = None, provider: str | None = None) -> dict[str, Any]:
        """The plaintext, for the org's data plane only (the internal API)."""
        if not name and not provider:
            raise BadRequest("give the secret's name or provider")
        row = self.store.find_secret(org_id, name=name or None, provider=None if name else provider)
        if row is None:
            raise NotFound("secret not found")
        try:
            value = self._open(row)
        except DecryptionError:
            logger.error("provider secret %s of org %s failed to decrypt", row["id"], org_id)
            raise TwinplaneError("the stored secret cannot be decrypted; set it again") from None
        return {"id": row["id"], "name": row["name"], "provider": row["provider"], "value": value,
                "metadata": row["metadata"]}

    def reseal_all(self) -> int:
        """Re-encrypt every secret under the current key version; returns how many changed."""
        changed = 0
        for row in self.store.all_secrets():
            if row["key_version"] == self.keyring.current_version:
                continue
            ad = associated_data(row["org_id"], row["id"])
            sealed = self.keyring.encrypt(self._open(row).encode(), ad)
            self.store.reseal_secret(row["id"], sealed.key_version, sealed.nonce, sealed.ciphertext)
            changed += 1
        return changed
