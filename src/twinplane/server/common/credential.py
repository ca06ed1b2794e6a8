"""Opaque bearer credentials: ``<prefix>_<lookup>_<secret>`` (API keys, service tokens).

``lookup`` (12 chars of ``[a-z0-9]``) is a public id stored in clear to find the row;
``secret`` is 32 random bytes (256 bits) in URL-safe base64. Only HMAC-SHA-256 of the whole
credential under a server-side pepper is stored: a fast keyed hash is enough for random
secrets (no dictionary to attack) and costs nothing per request, while a stolen database
without the pepper is useless. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

__all__ = ["Credential", "generate", "parse", "digest", "matches", "decode_pepper"]

_LOOKUP_ALPHABET = string.ascii_lowercase + string.digits
_LOOKUP_LEN = 12
_SECRET_BYTES = 32
_PATTERN = re.compile(r"^(?P<prefix>[a-z]{2,8})_(?P<lookup>[a-z0-9]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Credential:
    prefix: str
    lookup: str
    value: str  # the whole credential, shown to its owner once

    @property
    def last4(self) -> str:
        return self.value[-4:]


def generate(prefix: str) -> Credential:
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(_LOOKUP_LEN))
    secret = base64.urlsafe_b64encode(secrets.token_bytes(_SECRET_BYTES)).decode().rstrip("=")
    return Credential(prefix, lookup, f"{prefix}_{lookup}_{secret}")


def parse(value: str, prefix: str) -> str | None:
    """The lookup id of a well-formed credential of ``prefix``, else None."""
    if not isinstance(value, str) or len(value) > 128:
        return None
    m = _PATTERN.match(value)
    if not m or m.group("prefix") != prefix:
        return None
    return m.group("lookup")


def decode_pepper(pepper: str) -> bytes:
    """The pepper's bytes; it must be base64 of at least 32 bytes."""
    try:
        raw = base64.b64decode(pepper.strip(), validate=True) if pepper else b""
    except (binascii.Error, ValueError) as err:
        raise ValueError("the API key pepper must be base64") from err
    if len(raw) < 32:
        raise ValueError("the API key pepper must decode to at least 32 bytes")
    return raw


def digest(pepper: bytes, value: str) -> str:
    return hmac.new(pepper, value.encode(), hashlib.sha256).hexdigest()


def matches(pepper: bytes, value: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(pepper, value), stored_digest)
