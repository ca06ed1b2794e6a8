"""``@traced``: a span around each call of a function (sync, async, generator, async generator).

The span's input is the call's arguments by name, its output the return value (or the
list of yielded items); both can be turned off or transformed. Exceptions are recorded
on the span and re-raised unchanged: tracing never alters what the function does.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar, overload

from twinplane.sdk.context import start_span
from twinplane.sdk.span import NoopSpan, Span

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class _ArgCapture:
    """Maps a call's arguments to a ``{name: value}`` dict, cheaply for plain signatures."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        try:
            self.sig: inspect.Signature | None = inspect.signature(fn)
        except (TypeError, ValueError):
            self.sig = None
        params = list(self.sig.parameters.values()) if self.sig else []
        self.simple = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params)
        self.names = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
        self.skip_first = bool(self.names) and self.names[0] in ("self", "cls")

    def __call__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.simple:
            out = dict(zip(self.names, args, strict=False))
            if kwargs:
                out.update(kwargs)
        elif self.sig is not None:
            try:
                bound = self.sig.bind_partial(*args, **kwargs)
                out = dict(bound.arguments)
            except TypeError:
                out = {"args": list(args), **kwargs}
        else:
            out = {"args": list(args), **kwargs}
        if self.skip_first:
            out.pop(self.names[0], None)
        return out


def _safe(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:  # a transform must never break the traced function
        logger.warning("twinplane: a traced input/output transform failed", exc_info=True)
        return None


def _finish_error(span: Span | NoopSpan, exc: BaseException) -> None:
    import traceback

    span.log(error="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


@overload
def traced(fn: F) -> F: ...


@overload
def traced(*, name: str | None = None, type: str = "function", capture_input: bool = True,
           capture_output: bool = True, process_input: Callable[[dict[str, Any]], Any] | None = None,
           process_output: Callable[[Any], Any] | None = None,
           span_attributes: dict[str, Any] | None = None) -> Callable[[F], F]: ...


def traced(fn: Any = None, *, name: str | None = None, type: str = "function", capture_input: bool = True,
           capture_output: bool = True, process_input: Callable[[dict[str, Any]], Any] | None = None,
           process_output: Callable[[Any], Any] | None = None, span_attributes: dict[str, Any] | None = None,
           notrace_io: bool = False) -> Any:
    """Trace every call of the decorated function as a span (named after the function by default)."""
    if notrace_io:
        capture_input = capture_output = False

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        span_name = name or getattr(f, "__name__", "function")
        capture = _ArgCapture(f) if capture_input else None

        def open_span(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Span | NoopSpan:
            event: dict[str, Any] = {}
            if capture is not None:
                inp = capture(args, kwargs)
                event["input"] = _safe(process_input, inp) if process_input else inp
            try:
                return start_span(span_name, type, span_attributes=span_attributes, **event)
            except Exception:  # noqa: BLE001 - tracing must never break the call
                logger.warning("twinplane: could not start a span", exc_info=True)
                from twinplane.sdk.span import NOOP_SPAN

                return NOOP_SPAN

        def log_output(span: Span | NoopSpan, value: Any) -> None:
            if capture_output:
                span.log(output=_safe(process_output, value) if process_output else value)

        if inspect.isasyncgenfunction(f):
            @functools.wraps(f)
            async def agen_wrapper(*args: Any, **kwargs: Any) -> Any:
                span = open_span(args, kwargs)
                items: list[Any] = []
                gen = f(*args, **kwargs)
                try:
                    while True:
                        span.set_current()
                        try:
                            item = await gen.__anext__()
                        except StopAsyncIteration:
                            break
                        finally:
                            span.unset_current()
                        if capture_output:
                            items.append(item)
                        yield item
                    log_output(span, items)
                except BaseException as exc:
                    if not isinstance(exc, GeneratorExit):
                        _finish_error(span, exc)
                    raise
                finally:
                    span.end()
                    await gen.aclose()

            return agen_wrapper

        if inspect.isgeneratorfunction(f):
            @functools.wraps(f)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                span = open_span(args, kwargs)
                items: list[Any] = []
                gen = f(*args, **kwargs)
                try:
                    while True:
                        span.set_current()
                        try:
                            item = next(gen)
                        except StopIteration as stop:
                            if stop.value is not None and capture_output:
                                items.append(stop.value)
                            break
                        finally:
                            span.unset_current()
                        if capture_output:
                            items.append(item)
                        yield item
                    log_output(span, items)
                except BaseException as exc:
                    if not isinstance(exc, GeneratorExit):
                        _finish_error(span, exc)
                    raise
                finally:
                    span.end()
                    gen.close()

            return gen_wrapper

        if inspect.iscoroutinefunction(f):
            @functools.wraps(f)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                span = open_span(args, kwargs)
                span.set_current()
                try:
                    result = await f(*args, **kwargs)
                except BaseException as exc:
                    _finish_error(span, exc)
                    span.unset_current()
                    span.end()
                    raise
                span.unset_current()
                log_output(span, result)
                span.end()
                return result

            return async_wrapper

        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            span = open_span(args, kwargs)
            span.set_current()
            try:
                result = f(*args, **kwargs)
            except BaseException as exc:
                _finish_error(span, exc)
                span.unset_current()
                span.end()
                raise
            span.unset_current()
            log_output(span, result)
            span.end()
            return result

        return wrapper

    if fn is not None and callable(fn):
        return decorate(fn)
    return decorate
