"""``wrap_anthropic(client)``: a span of type ``llm`` for each ``messages.create`` call
(plain and ``stream=True``) and each ``messages.stream(...)`` context, sync and async.

Input is the messages (with ``system`` first, as a system message), output the content
blocks, metrics the token usage (``prompt_tokens`` = input tokens incl. cache reads).
"""

from __future__ import annotations

import functools
from typing import Any

from twinplane.sdk.wrappers.llm_span import (
    AsyncStreamProxy,
    LLMCall,
    StreamProxy,
    dump,
    get,
    guarded,
    wrap_call,
)

_NOT_METADATA = {"messages", "system", "stream", "extra_headers", "extra_query", "extra_body", "timeout"}


def _metrics(usage: Any) -> dict[str, float]:
    if usage is None:
        return {}
    inp = (get(usage, "input_tokens") or 0) + (get(usage, "cache_read_input_tokens") or 0) \
        + (get(usage, "cache_creation_input_tokens") or 0)
    out = get(usage, "output_tokens") or 0
    m = {"prompt_tokens": inp, "completion_tokens": out, "tokens": inp + out}
    if get(usage, "cache_read_input_tokens"):
        m["prompt_cached_tokens"] = get(usage, "cache_read_input_tokens")
    return m


def _info(kwargs: dict[str, Any]) -> tuple[str, Any, dict[str, Any]]:
    messages = list(kwargs.get("messages") or [])
    if kwargs.get("system"):
        messages = [{"role": "system", "content": kwargs["system"]}, *messages]
    meta = {k: v for k, v in kwargs.items() if k not in _NOT_METADATA}
    meta["provider"] = "anthropic"
    return "anthropic.messages.create", messages, meta


class _EventAccumulator:
    """Folds stream events into a message: text blocks, tool_use blocks (JSON input), usage."""

    def __init__(self) -> None:
        self.blocks: dict[int, dict[str, Any]] = {}
        self.partial_json: dict[int, str] = {}
        self.usage: dict[str, Any] = {}
        self.stop_reason: Any = None

    def add(self, event: Any) -> None:
        kind = get(event, "type")
        if kind == "message_start":
            self.usage.update(dump(get(get(event, "message"), "usage")) or {})
        elif kind == "content_block_start":
            self.blocks[get(event, "index", 0)] = dict(dump(get(event, "content_block")) or {})
        elif kind == "content_block_delta":
            i = get(event, "index", 0)
            delta = get(event, "delta")
            block = self.blocks.setdefault(i, {"type": "text", "text": ""})
            if get(delta, "type") == "text_delta":
                block["text"] = block.get("text", "") + (get(delta, "text") or "")
            elif get(delta, "type") == "input_json_delta":
                self.partial_json[i] = self.partial_json.get(i, "") + (get(delta, "partial_json") or "")
        elif kind == "message_delta":
            self.usage.update({k: v for k, v in (dump(get(event, "usage")) or {}).items() if v is not None})
            self.stop_reason = get(get(event, "delta"), "stop_reason")

    def output(self) -> dict[str, Any]:
        import json

        for i, text in self.partial_json.items():
            try:
                self.blocks[i]["input"] = json.loads(text) if text else {}
            except (ValueError, KeyError):
                pass
        return {"role": "assistant", "content": [self.blocks[i] for i in sorted(self.blocks)],
                "stop_reason": self.stop_reason}


def _handlers(call: LLMCall) -> tuple[Any, Any]:
    acc = _EventAccumulator()
    return acc.add, lambda: call.finish(output=acc.output(), metrics=_metrics(acc.usage))


def _finish_message(call: LLMCall, message: Any) -> None:
    call.finish(output={"role": "assistant", "content": [dump(b) for b in get(message, "content") or []],
                        "stop_reason": get(message, "stop_reason")}, metrics=_metrics(get(message, "usage")))


def _wrap_create(create: Any) -> Any:
    def handle(response: Any, call: LLMCall, stream: bool, is_async: bool) -> Any:
        if stream:
            proxy = AsyncStreamProxy if is_async else StreamProxy
            return proxy(response, call, *_handlers(call))
        _finish_message(call, response)
        return response

    return wrap_call(create, _info, handle)


class _StreamManager:
    """Wraps ``messages.stream(...)``'s context manager (sync or async); the span covers the block."""

    def __init__(self, manager: Any, kwargs: dict[str, Any]) -> None:
        self._manager = manager
        self._kwargs = kwargs
        self._call: LLMCall | None = None
        self._stream: Any = None

    def _start(self, stream: Any) -> Any:
        self._call = LLMCall(*_info(self._kwargs))
        self._stream = stream
        return stream

    def _end(self, exc: BaseException | None) -> None:
        call = self._call
        if call is None:
            return
        if exc is not None:
            call.finish(error=exc)
            return
        snapshot = guarded(lambda: self._stream.current_message_snapshot)
        if snapshot is not None:
            _finish_message(call, snapshot)
        else:
            call.finish(output=None)

    def __enter__(self) -> Any:
        return self._start(self._manager.__enter__())

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Any:
        self._end(exc)
        return self._manager.__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> Any:
        return self._start(await self._manager.__aenter__())

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Any:
        self._end(exc)
        return await self._manager.__aexit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)


def wrap_anthropic(client: Any) -> Any:
    """Instrument an Anthropic (or AsyncAnthropic) client in place and return it."""
    messages = getattr(client, "messages", None)
    if messages is None:
        return client
    create = getattr(messages, "create", None)
    if create is not None and not getattr(create, "_twinplane_wrapped", False):
        try:
            messages.create = _wrap_create(create)
        except (AttributeError, TypeError):
            return client
    stream = getattr(messages, "stream", None)
    if stream is not None and not getattr(stream, "_twinplane_wrapped", False):
        @functools.wraps(stream)
        def wrapped_stream(*args: Any, **kwargs: Any) -> Any:
            return _StreamManager(stream(*args, **kwargs), kwargs)

        wrapped_stream._twinplane_wrapped = True  # type: ignore[attr-defined]
        try:
            messages.stream = wrapped_stream
        except (AttributeError, TypeError):
            pass
    return client
