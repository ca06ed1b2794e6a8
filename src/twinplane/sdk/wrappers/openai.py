"""``wrap_openai(client)``: a span of type ``llm`` for each chat, completion, Responses-API and
embedding call.

Works on ``OpenAI`` and ``AsyncOpenAI`` clients (and compatible ones) by replacing the
``create`` methods on the client's resource objects, so ``isinstance`` checks and every
other method keep working. Streaming responses are passed through a proxy that collects
the deltas (content and tool calls) and token usage as the caller reads them.
"""

from __future__ import annotations

from typing import Any

from twinplane.sdk.wrappers.llm_span import AsyncStreamProxy, LLMCall, StreamProxy, dump, get, wrap_call

_NOT_METADATA = {"messages", "prompt", "input", "stream", "extra_headers", "extra_query", "extra_body", "timeout"}


def _usage_metrics(usage: Any) -> dict[str, float]:
    if usage is None:
        return {}
    prompt = get(usage, "prompt_tokens")
    if prompt is None:  # the Responses API names them input/output tokens
        prompt = get(usage, "input_tokens")
    completion = get(usage, "completion_tokens")
    if completion is None:
        completion = get(usage, "output_tokens")
    total = get(usage, "total_tokens")
    out = {"prompt_tokens": prompt, "completion_tokens": completion,
           "tokens": total if total is not None else (prompt or 0) + (completion or 0)}
    details = get(usage, "prompt_tokens_details") or get(usage, "input_tokens_details")
    cached = get(details, "cached_tokens") if details is not None else None
    if cached:
        out["prompt_cached_tokens"] = cached
    return {k: v for k, v in out.items() if isinstance(v, (int, float))}


class _ChatAccumulator:
    """Folds streamed chat chunks into the choices a non-streamed call would have returned."""

    def __init__(self) -> None:
        self.choices: dict[int, dict[str, Any]] = {}
        self.usage: Any = None

    def add(self, chunk: Any) -> None:
        if get(chunk, "usage") is not None:
            self.usage = get(chunk, "usage")
        for ch in get(chunk, "choices") or []:
            idx = get(ch, "index", 0) or 0
            acc = self.choices.setdefault(idx, {"index": idx, "message": {"role": "assistant", "content": None},
                                                "finish_reason": None})
            delta = get(ch, "delta")
            if get(ch, "finish_reason"):
                acc["finish_reason"] = get(ch, "finish_reason")
            if delta is None:
                continue
            msg = acc["message"]
            if get(delta, "role"):
                msg["role"] = get(delta, "role")
            if get(delta, "content"):
                msg["content"] = (msg["content"] or "") + get(delta, "content")
            for tc in get(delta, "tool_calls") or []:
                calls = msg.setdefault("tool_calls", [])
                i = get(tc, "index", len(calls)) or 0
                while len(calls) <= i:
                    calls.append({"id": None, "type": "function", "function": {"name": "", "arguments": ""}})
                call = calls[i]
                if get(tc, "id"):
                    call["id"] = get(tc, "id")
                fn = get(tc, "function")
                if fn is not None:
                    if get(fn, "name"):
                        call["function"]["name"] += get(fn, "name")
                    if get(fn, "arguments"):
                        call["function"]["arguments"] += get(fn, "arguments")

    def output(self) -> list[dict[str, Any]]:
        return [self.choices[i] for i in sorted(self.choices)]


def _call_info(kind: str, kwargs: dict[str, Any]) -> tuple[str, Any, dict[str, Any]]:
    meta = {k: v for k, v in kwargs.items() if k not in _NOT_METADATA and not k.startswith("_")}
    meta["provider"] = "openai"
    if kind == "chat":
        return "Chat Completion", kwargs.get("messages"), meta
    if kind == "completion":
        return "Completion", kwargs.get("prompt"), meta
    if kind == "responses":
        return "Response", kwargs.get("input"), meta
    return "Embedding", kwargs.get("input"), meta


def _result(kind: str, response: Any) -> tuple[Any, dict[str, float]]:
    metrics = _usage_metrics(get(response, "usage"))
    if kind == "chat":
        return [dump(c) for c in get(response, "choices") or []], metrics
    if kind == "completion":
        return [dump(c) for c in get(response, "choices") or []], metrics
    if kind == "responses":
        return [dump(item) for item in get(response, "output") or []], metrics
    data = get(response, "data") or []
    return {"embeddings": len(data), "dimensions": len(get(data[0], "embedding") or []) if data else 0}, metrics


def _stream_handlers(kind: str, call: LLMCall) -> tuple[Any, Any]:
    acc = _ChatAccumulator()
    texts: dict[int, str] = {}
    final: dict[str, Any] = {}

    def on_chunk(chunk: Any) -> None:
        if kind == "chat":
            acc.add(chunk)
        elif kind == "responses":
            kind_ = get(chunk, "type")
            if kind_ == "response.output_text.delta":
                texts[get(chunk, "output_index", 0) or 0] = texts.get(get(chunk, "output_index", 0) or 0, "") + (
                    get(chunk, "delta") or "")
            elif kind_ in ("response.completed", "response.incomplete", "response.failed"):
                final["response"] = get(chunk, "response")
        else:
            if get(chunk, "usage") is not None:
                acc.usage = get(chunk, "usage")
            for ch in get(chunk, "choices") or []:
                i = get(ch, "index", 0) or 0
                texts[i] = texts.get(i, "") + (get(ch, "text") or "")

    def on_end() -> None:
        if kind == "responses" and final.get("response") is not None:
            output, metrics = _result(kind, final["response"])
            call.finish(output=output, metrics=metrics)
            return
        output = acc.output() if kind == "chat" else [{"index": i, "text": t} for i, t in sorted(texts.items())]
        call.finish(output=output, metrics=_usage_metrics(acc.usage))

    return on_chunk, on_end


def _wrap_create(create: Any, kind: str) -> Any:
    def handle(response: Any, call: LLMCall, stream: bool, is_async: bool) -> Any:
        if stream:
            proxy = AsyncStreamProxy if is_async else StreamProxy
            return proxy(response, call, *_stream_handlers(kind, call))
        output, metrics = _result(kind, response)
        call.finish(output=output, metrics=metrics)
        return response

    return wrap_call(create, lambda kwargs: _call_info(kind, kwargs), handle)


def wrap_openai(client: Any) -> Any:
    """Instrument an OpenAI (or AsyncOpenAI) client in place and return it."""
    targets = (("chat", "completions"), ("completions",), ("embeddings",), ("responses",))
    kinds = ("chat", "completion", "embedding", "responses")
    for path, kind in zip(targets, kinds, strict=True):
        resource = client
        try:
            for attr in path:
                resource = getattr(resource, attr)
        except AttributeError:
            continue
        create = getattr(resource, "create", None)
        if create is None or getattr(create, "_twinplane_wrapped", False):
            continue
        try:
            resource.create = _wrap_create(create, kind)
        except (AttributeError, TypeError):  # a client that forbids attributes stays unwrapped
            continue
    return client
