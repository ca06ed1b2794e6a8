"""AES-256-GCM envelope for secrets at rest, under a ring of versioned key-encryption keys.

A ring is written ``"2:<b64 32 bytes>,1:<b64 32 bytes>"``: the first entry encrypts, every
entry decrypts, so rotating means prepending a new key and keeping the old ones until
everything is re-encrypted. Each sealed value records its key version and a fresh random
96-bit nonce; the caller's associated data (e.g. org and secret id) is authenticated but not
stored, so a ciphertext copied to another row fails to open.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["KeyRing", "Sealed", "DecryptionError", "generate_key_entry"]


class DecryptionError(Exception):
    """The ciphertext, nonce, key version or associated data do not match."""


@dataclass(frozen=True)
class Sealed:
    key_version: str
    nonce: bytes
    ciphertext: bytes


def generate_key_entry(version: str = "1") -> str:
    return f"{version}:{base64.b64encode(os.urandom(32)).decode()}"


class KeyRing:
    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("the key ring is empty: set at least one 'version:base64(32 bytes)' key")
        self._keys = dict(keys)
        if len(self._keys) != len(keys):
            raise ValueError("the key ring has a duplicate key version")
        self.current_version = keys[0][0]

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        keys: list[tuple[str, bytes]] = []
        for entry in (e.strip() for e in (spec or "").split(",")):
            if not entry:
                continue
            version, sep, b64 = entry.partition(":")
            if not sep or not version.strip() or not version.strip().isalnum():
                raise ValueError("each key must be written 'version:base64(32 bytes)'")
            try:
                key = base64.b64decode(b64.strip(), validate=True)
            except (binascii.Error, ValueError) as err:
                raise ValueError(f"key version {version.strip()} is not valid base64") from err
            if len(key) != 32:
                raise ValueError(f"key version {version.strip()} must be 32 bytes (AES-256), got {len(key)}")
            keys.append((version.strip(), key))
        return cls(keys)

    @property
    def versions(self) -> list[str]:
        return list(self._keys)

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> Sealed:
        nonce = os.urandom(12)
        ct = AESGCM(self._keys[self.current_version]).encrypt(nonce, plaintext, associated_data)
        return Sealed(self.current_version, nonce, ct)

    def decrypt(self, sealed: Sealed, associated_data: bytes) -> bytes:
        key = self._keys.get(sealed.key_version)
        if key is None:
            raise DecryptionError(f"key version {sealed.key_version} is not in the key ring")
        try:
            return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, associated_data)
        except (InvalidTag, ValueError) as err:
            raise DecryptionError("the secret failed its integrity check") from err
