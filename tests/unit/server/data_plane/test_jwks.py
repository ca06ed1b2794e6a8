"""Browser tokens: ES256 pinned, audience, issuer and expiry enforced, JWKS refetched once per unknown kid."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from twinplane.server.common.errors import Unauthorized
from twinplane.server.data_plane.auth.jwks import JwksVerifier

ISS, AUD = "http://control.test", "dp-1"


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _jwk(key, kid: str) -> dict:
    d = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    d.update(kid=kid, alg="ES256", use="sig")
    return d


def _claims(**over) -> dict:
    now = int(time.time())
    c = {"iss": ISS, "aud": AUD, "sub": "user-1", "org": "org-1", "role": "viewer", "iat": now, "exp": now + 300,
         "jti": "j"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Jwks:
    def __init__(self, *keys) -> None:
        self.doc = {"keys": [_jwk(k, kid) for kid, k in keys]}
        self.fetches = 0

    async def __call__(self) -> dict:
        self.fetches += 1
        return self.doc


@pytest.fixture
def signer():
    return _key()


async def test_valid_token_is_accepted(signer) -> None:
    v = JwksVerifier(Jwks(("k1", signer)), audience=AUD, issuer=ISS, ttl=3600)
    tok = jwt.encode(_claims(), signer, algorithm="ES256", headers={"kid": "k1"})
    assert (await v.verify(tok))["org"] == "org-1"


async def test_alg_none_is_refused(signer) -> None:
    v = JwksVerifier(Jwks(("k1", signer)), audience=AUD, issuer=ISS, ttl=3600)
    tok = _b64(json.dumps({"alg": "none", "kid": "k1", "typ": "JWT"}).encode()) + "." + \
        _b64(json.dumps(_claims()).encode()) + "."
    with pytest.raises(Unauthorized):
        await v.verify(tok)


async def test_hs256_signed_with_the_public_key_is_refused(signer) -> None:
    v = JwksVerifier(Jwks(("k1", signer)), audience=AUD, issuer=ISS, ttl=3600)
    pub_pem = signer.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = _b64(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode()) + "." + \
        _b64(json.dumps(_claims()).encode())
    sig = hmac.new(pub_pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(Unauthorized):
        await v.verify(signing_input + "." + _b64(sig))


@pytest.mark.parametrize("claims", [
    {"aud": "another-data-plane"},
    {"iss": "http://evil.test"},
    {"exp": int(time.time()) - 120},
    {"exp": None},
])
async def test_wrong_audience_issuer_or_expiry_is_refused(signer, claims) -> None:
    v = JwksVerifier(Jwks(("k1", signer)), audience=AUD, issuer=ISS, ttl=3600)
    tok = jwt.encode(_claims(**claims), signer, algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        await v.verify(tok)


async def test_token_signed_by_another_key_with_a_known_kid_is_refused(signer) -> None:
    v = JwksVerifier(Jwks(("k1", signer)), audience=AUD, issuer=ISS, ttl=3600)
    tok = jwt.encode(_claims(), _key(), algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        await v.verify(tok)


async def test_unknown_kid_refetches_once_then_rotation_works(signer) -> None:
    jwks = Jwks(("k1", signer))
    v = JwksVerifier(jwks, audience=AUD, issuer=ISS, ttl=3600)
    await v.verify(jwt.encode(_claims(), signer, algorithm="ES256", headers={"kid": "k1"}))
    assert jwks.fetches == 1
    # a flood of unknown kids costs at most one refetch per refresh interval
    bogus = jwt.encode(_claims(), _key(), algorithm="ES256", headers={"kid": "nope"})
    for _ in range(5):
        with pytest.raises(Unauthorized):
            await v.verify(bogus)
    assert jwks.fetches == 1  # the first fetch was just now: refresh rate-limited
    # key rotation: a new kid appears in the JWKS and is picked up on first sight
    clock = [1000.0]
    jwks2 = Jwks(("k1", signer))
    v2 = JwksVerifier(jwks2, audience=AUD, issuer=ISS, ttl=3600, clock=lambda: clock[0])
    await v2.verify(jwt.encode(_claims(), signer, algorithm="ES256", headers={"kid": "k1"}))
    new = _key()
    jwks2.doc = {"keys": [_jwk(signer, "k1"), _jwk(new, "k2")]}
    clock[0] += 10
    assert (await v2.verify(jwt.encode(_claims(), new, algorithm="ES256", headers={"kid": "k2"})))["sub"] == "user-1"
    assert jwks2.fetches == 2
