"""Short-lived ES256 JWTs that let a signed-in browser call its org's data plane directly.

The data plane verifies them locally against ``/.well-known/jwks.json``; ``kid`` is the RFC
7638 thumbprint of the public key, so a new key gets a new id and caches refresh on it.

Rotation: the signing key is replaced, and the old one's public half stays in the JWKS
(``retired`` keys: settings ``jwt_retired_key_paths``) for as long as tokens it signed may
still be alive or control-plane replicas still sign with it, so no data plane refuses a
token in between (docs/self-hosting.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from twinplane.server.common.errors import NotFound
from twinplane.server.control_plane.store import now

__all__ = ["BrowserTokens", "load_private_key", "load_public_key", "generate_private_key_pem", "MAX_TTL_SECONDS"]

MAX_TTL_SECONDS = 300  # contracts.md §1: exp ≤ 5 min


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).decode().rstrip("=")


def generate_private_key_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_private_key(path: str) -> ec.EllipticCurvePrivateKey:
    if not path:
        raise ValueError("TWINPLANE_CONTROL_JWT_PRIVATE_KEY_PATH is not set")
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read the JWT private key at {path}: {type(err).__name__}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("the JWT private key must be an EC P-256 key (ES256)")
    return key


def load_public_key(path: str) -> ec.EllipticCurvePublicKey:
    """A retired key: a PEM public key, or the private key it belongs to (its public half is used)."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ValueError(f"cannot read the retired JWT key at {path}: {type(err).__name__}") from None
    key: Any
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as err:
            raise ValueError(f"cannot read the retired JWT key at {path}: {type(err).__name__}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError(f"the retired JWT key at {path} must be an EC P-256 key (ES256)")
    return key


def _jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """The key's JWK with ``kid`` = its RFC 7638 thumbprint."""
    nums = public_key.public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": _b64(nums.x), "y": _b64(nums.y)}
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).decode().rstrip("=")
    return {**jwk, "kid": kid, "use": "sig", "alg": "ES256"}


class BrowserTokens:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey, issuer: str, ttl_seconds: int,
                 retired: tuple[ec.EllipticCurvePublicKey, ...] = ()) -> None:
        self._key = private_key
        self.issuer = issuer.rstrip("/")
        self.ttl = timedelta(seconds=max(1, min(ttl_seconds, MAX_TTL_SECONDS)))
        current = _jwk(private_key.public_key())
        self.kid = current["kid"]
        keys = {current["kid"]: current}
        for public_key in retired:
            jwk = _jwk(public_key)
            keys.setdefault(jwk["kid"], jwk)  # the current key listed as retired too: once
        self._jwks = {"keys": list(keys.values())}

    def jwks(self) -> dict[str, Any]:
        """The signing key first, then the retired ones still accepted."""
        return self._jwks

    def mint(self, *, user_id: str, org_id: str, role: str, data_plane: dict[str, Any]) -> dict[str, Any]:
        """A token for ``data_plane``, which must be registered for ``org_id``."""
        if data_plane["org_id"] != org_id:
            raise NotFound("data plane not found")
        issued = now()
        expires = issued + self.ttl
        claims = {"iss": self.issuer, "aud": data_plane["id"], "sub": user_id, "org": org_id, "role": role,
                  "iat": int(issued.timestamp()), "exp": int(expires.timestamp()), "jti": str(uuid.uuid4())}
        token = jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self.kid})
        return {"token": token, "expires_at": expires.replace(microsecond=0).isoformat(),
                "data_plane_url": data_plane["api_url"], "data_plane_id": data_plane["id"]}
