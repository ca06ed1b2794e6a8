"""What the OpenAI and Anthropic wrappers share: a span per LLM call that can never break the call.

Every step that touches the span is guarded; the provider call itself runs unguarded so
its result and exceptions reach the caller unchanged. Streams are wrapped in proxies that
collect chunks as the caller reads them and end the span when the stream ends or closes.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from twinplane.sdk.context import start_span
from twinplane.sdk.span import NOOP_SPAN, NoopSpan, Span

logger = logging.getLogger(__name__)


def dump(obj: Any) -> Any:
    """A provider response object as plain data."""
    fn = getattr(obj, "model_dump", None)
    if callable(fn):
        try:
            return fn(mode="json", exclude_none=True)
        except Exception:  # noqa: BLE001
            return repr(obj)
    return obj


def get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


class LLMCall:
    """The span of one provider call; every method swallows its own failures."""

    def __init__(self, name: str, input: Any, metadata: dict[str, Any]) -> None:
        self.start = time.time()
        self.first_token: float | None = None
        self._done = False
        try:
            self.span: Span | NoopSpan = start_span(name, "llm", input=input, metadata=metadata)
        except Exception:  # noqa: BLE001
            logger.debug("twinplane: could not start an LLM span", exc_info=True)
            self.span = NOOP_SPAN

    def mark_token(self) -> None:
        if self.first_token is None:
            self.first_token = time.time()

    def finish(self, output: Any = None, metrics: dict[str, float] | None = None, metadata: dict[str, Any] | None = None,
               error: BaseException | None = None) -> None:
        if self._done:
            return
        self._done = True
        try:
            m = {k: v for k, v in (metrics or {}).items() if isinstance(v, (int, float))}
            if self.first_token is not None:
                m["time_to_first_token"] = self.first_token - self.start
            event: dict[str, Any] = {"metrics": m}
            if error is not None:
                event["error"] = f"{type(error).__name__}: {error}"
            else:
                event["output"] = output
            if metadata:
                event["metadata"] = metadata
            self.span.log(**event)
            self.span.end()
        except Exception:  # noqa: BLE001
            logger.debug("twinplane: could not finish an LLM span", exc_info=True)


def guarded(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - instrumentation failures are never the caller's problem
        logger.debug("twinplane: LLM instrumentation step failed", exc_info=True)
        return None


class StreamProxy:
    """Wraps a sync stream: iterate it as usual; chunks also feed ``on_chunk``; ``on_end`` runs once."""

    def __init__(self, stream: Any, call: LLMCall, on_chunk: Callable[[Any], None], on_end: Callable[[], None]):
        self._stream = stream
        self._call = call
        self._on_chunk = on_chunk
        self._on_end = on_end
        self._iter: Any = None

    def __iter__(self) -> StreamProxy:
        return self

    def __next__(self) -> Any:
        if self._iter is None:
            self._iter = iter(self._stream)
        try:
            chunk = next(self._iter)
        except StopIteration:
            guarded(self._on_end)
            raise
        except Exception as exc:
            self._call.finish(error=exc)
            raise
        self._call.mark_token()
        guarded(self._on_chunk, chunk)
        return chunk

    def __enter__(self) -> StreamProxy:
        enter = getattr(self._stream, "__enter__", None)
        if enter is not None:
            enter()
        return self

    def __exit__(self, *exc: Any) -> Any:
        guarded(self._on_end)
        exit_ = getattr(self._stream, "__exit__", None)
        return exit_(*exc) if exit_ is not None else None

    def close(self) -> None:
        guarded(self._on_end)
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class AsyncStreamProxy:
    """The async form of :class:`StreamProxy`."""

    def __init__(self, stream: Any, call: LLMCall, on_chunk: Callable[[Any], None], on_end: Callable[[], None]):
        self._stream = stream
        self._call = call
        self._on_chunk = on_chunk
        self._on_end = on_end
        self._iter: Any = None

    def __aiter__(self) -> AsyncStreamProxy:
        return self

    async def __anext__(self) -> Any:
        if self._iter is None:
            self._iter = self._stream.__aiter__()
        try:
            chunk = await self._iter.__anext__()
        except StopAsyncIteration:
            guarded(self._on_end)
            raise
        except Exception as exc:
            self._call.finish(error=exc)
            raise
        self._call.mark_token()
        guarded(self._on_chunk, chunk)
        return chunk

    async def __aenter__(self) -> AsyncStreamProxy:
        enter = getattr(self._stream, "__aenter__", None)
        if enter is not None:
            await enter()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        guarded(self._on_end)
        exit_ = getattr(self._stream, "__aexit__", None)
        return (await exit_(*exc)) if exit_ is not None else None

    async def close(self) -> None:
        guarded(self._on_end)
        close = getattr(self._stream, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def wrap_call(create: Callable[..., Any], info: Callable[[dict[str, Any]], tuple[Any, ...]],
              handle: Callable[[Any, LLMCall, bool, bool], Any]) -> Callable[..., Any]:
    """Wrap a client's create method: one LLM span per call, for sync and async clients.

    ``info(kwargs)`` gives the ``LLMCall`` arguments; ``handle(response, call, stream, is_async)``
    finishes the call (or hands a stream proxy back). The provider's own errors are recorded
    on the span and re-raised unchanged.
    """

    @functools.wraps(create)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        call = LLMCall(*info(kwargs))
        try:
            response = create(*args, **kwargs)
        except Exception as exc:
            call.finish(error=exc)
            raise
        if inspect.isawaitable(response):  # the async client: finish when the caller awaits
            async def finish() -> Any:
                try:
                    result = await response
                except Exception as exc:
                    call.finish(error=exc)
                    raise
                return handle(result, call, bool(kwargs.get("stream")), True)

            return finish()
        return handle(response, call, bool(kwargs.get("stream")), False)

    wrapped._twinplane_wrapped = True  # type: ignore[attr-defined]
    return wrapped
