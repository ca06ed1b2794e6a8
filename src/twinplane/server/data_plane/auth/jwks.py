"""Browser tokens: ES256 JWTs minted by the control plane, verified here against its JWKS.

The algorithm is pinned to ES256 (so ``alg: none`` and HS256-with-the-public-key tricks
fail), the audience must be this data plane's id, the issuer the control plane, and
``exp`` is required. The JWKS is cached for ``ttl`` and refetched at most once per
unknown ``kid`` (and not more than once every few seconds), so a flood of tokens with
random ``kid`` values cannot turn into a flood of requests upstream.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from jwt.algorithms import ECAlgorithm

from twinplane.server.common.errors import Unauthorized

logger = logging.getLogger(__name__)

ALGORITHM = "ES256"
MIN_REFRESH_INTERVAL = 5.0


class JwksVerifier:
    def __init__(self, fetch: Callable[[], Awaitable[dict[str, Any]]], *, audience: str, issuer: str,
                 ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self.audience = audience
        self._issuer = issuer
        self._ttl = ttl
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def _load(self) -> None:
        async with self._lock:
            now = self._clock()
            if self._fetched_at is not None and now - self._fetched_at < MIN_REFRESH_INTERVAL:
                return  # another request just refreshed
            try:
                doc = await self._fetch()
            finally:
                # Set even when the fetch fails: an outage must not turn every token into an upstream call.
                self._fetched_at = now
            self.fetches += 1
            keys: dict[str, Any] = {}
            for jwk in doc.get("keys") or []:
                if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or not jwk.get("kid"):
                    continue
                if jwk.get("alg") not in (None, ALGORITHM) or jwk.get("crv") not in (None, "P-256"):
                    continue
                try:
                    keys[str(jwk["kid"])] = ECAlgorithm.from_jwk(jwk)
                except (jwt.InvalidKeyError, ValueError, TypeError):
                    logger.warning("ignoring an unreadable key in the control plane's JWKS")
            self._keys = keys

    async def _key_for(self, kid: str) -> Any:
        now = self._clock()
        if self._fetched_at is None or now - self._fetched_at >= self._ttl:
            await self._load()
        key = self._keys.get(kid)
        if key is None:
            await self._load()  # unknown kid: refresh once (rate-limited inside)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("browser token signed by an unknown key")
        return key

    async def verify(self, token: str) -> dict[str, Any]:
        if not self.audience:
            raise Unauthorized("this data plane does not know its id yet; browser tokens cannot be checked")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("malformed browser token") from None
        if header.get("alg") != ALGORITHM:
            raise Unauthorized("browser token must be signed with ES256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("browser token has no key id")
        key = await self._key_for(kid)
        try:
            claims = jwt.decode(
                token, key=key, algorithms=[ALGORITHM], audience=self.audience, issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]}, leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("browser token expired") from None
        except jwt.PyJWTError as err:
            raise Unauthorized(f"invalid browser token ({type(err).__name__})") from None
        return claims
