"""A minimal OpenAI-compatible client (plain httpx) for LLM-judge and embedding scorers.

Endpoint: ``base_url=`` argument, else ``TWINPLANE_LLM_BASE_URL``, else ``OPENAI_BASE_URL``,
else ``https://api.openai.com/v1``. Key: ``api_key=``, else ``TWINPLANE_LLM_API_KEY``, else
``OPENAI_API_KEY``. Point it at the data plane's ``/v1/proxy`` to use the org's provider
secrets. Requests are retried on 429/5xx honouring ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

from twinplane.sdk.retry import RetryPolicy

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class LLMError(RuntimeError):
    """The LLM endpoint failed or answered something unusable."""


@dataclass(frozen=True)
class LLMEndpoint:
    base_url: str
    api_key: str | None
    timeout: float = 60.0

    @classmethod
    def resolve(cls, base_url: str | None = None, api_key: str | None = None, timeout: float = 60.0) -> LLMEndpoint:
        env = os.environ
        url = base_url or env.get("TWINPLANE_LLM_BASE_URL") or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        key = api_key or env.get("TWINPLANE_LLM_API_KEY") or env.get("OPENAI_API_KEY")
        return cls(base_url=url.rstrip("/"), api_key=key, timeout=timeout)

    def __repr__(self) -> str:
        return f"LLMEndpoint(base_url={self.base_url!r}, api_key={'***' if self.api_key else None})"


class LLMClient:
    """``chat`` and ``embed`` against one endpoint, sync and async."""

    def __init__(self, endpoint: LLMEndpoint | None = None, policy: RetryPolicy | None = None) -> None:
        self.endpoint = endpoint or LLMEndpoint.resolve()
        self.policy = policy or RetryPolicy(retries=3, max_backoff=20.0)

    def _headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json"}
        if self.endpoint.api_key:
            h["Authorization"] = f"Bearer {self.endpoint.api_key}"
        return h

    def _check(self, resp: httpx.Response) -> dict[str, Any]:
        if resp.status_code != 200:
            raise LLMError(f"LLM endpoint answered {resp.status_code}: {resp.text[:300]}")
        try:
            body = resp.json()
        except ValueError:
            raise LLMError("LLM endpoint answered invalid JSON") from None
        if not isinstance(body, dict):
            raise LLMError("LLM endpoint answered a non-object")
        return body

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.endpoint.base_url + path
        with httpx.Client(timeout=self.endpoint.timeout) as client:
            for attempt in range(self.policy.retries + 1):
                try:
                    resp = client.post(url, json=body, headers=self._headers())
                except httpx.HTTPError as exc:
                    if attempt >= self.policy.retries:
                        raise LLMError(f"LLM endpoint unreachable: {type(exc).__name__}") from None
                    time.sleep(self.policy.delay(attempt))
                    continue
                if self.policy.should_retry(resp.status_code) and attempt < self.policy.retries:
                    time.sleep(self.policy.delay(attempt, resp.headers.get("retry-after")))
                    continue
                return self._check(resp)
        raise LLMError("unreachable")  # pragma: no cover

    async def _apost(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.endpoint.base_url + path
        async with httpx.AsyncClient(timeout=self.endpoint.timeout) as client:
            for attempt in range(self.policy.retries + 1):
                try:
                    resp = await client.post(url, json=body, headers=self._headers())
                except httpx.HTTPError as exc:
                    if attempt >= self.policy.retries:
                        raise LLMError(f"LLM endpoint unreachable: {type(exc).__name__}") from None
                    await asyncio.sleep(self.policy.delay(attempt))
                    continue
                if self.policy.should_retry(resp.status_code) and attempt < self.policy.retries:
                    await asyncio.sleep(self.policy.delay(attempt, resp.headers.get("retry-after")))
                    continue
                return self._check(resp)
        raise LLMError("unreachable")  # pragma: no cover

    def chat(self, **body: Any) -> dict[str, Any]:
        """``POST /chat/completions`` with ``body`` (model, messages, tools, ...)."""
        return self._post("/chat/completions", body)

    async def achat(self, **body: Any) -> dict[str, Any]:
        return await self._apost("/chat/completions", body)

    @staticmethod
    def _vectors(body: dict[str, Any]) -> list[list[float]]:
        data = body.get("data")
        if not isinstance(data, list):
            raise LLMError("embeddings answer has no data")
        return [d["embedding"] for d in sorted(data, key=lambda d: d.get("index", 0))]

    def embed(self, model: str, inputs: list[str]) -> list[list[float]]:
        return self._vectors(self._post("/embeddings", {"model": model, "input": inputs}))

    async def aembed(self, model: str, inputs: list[str]) -> list[list[float]]:
        return self._vectors(await self._apost("/embeddings", {"model": model, "input": inputs}))
