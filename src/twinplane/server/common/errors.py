"""Typed server errors and the one JSON error body they become at the HTTP edge.

Hierarchy::

    TwinplaneError                 (500 internal)
    ├── BadRequest                 (400 bad_request)
    │   ├── PayloadTooLarge        (413 payload_too_large)
    │   └── UnsupportedMediaType   (415 unsupported_media_type)
    ├── Unauthorized               (401 unauthorized)
    ├── Forbidden                  (403 forbidden)
    ├── NotFound                   (404 not_found)
    ├── Conflict                   (409 conflict)
    ├── RateLimited                (429 rate_limited, Retry-After)
    └── Unavailable                (503 unavailable, Retry-After)

Every failure answers ``{"error": {"code": ..., "message": ...}}``. Messages are
written for the user; they never carry stack traces, secrets or row content.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


class TwinplaneError(Exception):
    status = 500
    code = "internal"

    def __init__(self, message: str = "internal error", *, headers: dict[str, str] | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.details = details

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            err["details"] = self.details
        return {"error": err}


class BadRequest(TwinplaneError):
    status = 400
    code = "bad_request"


class PayloadTooLarge(BadRequest):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(BadRequest):
    status = 415
    code = "unsupported_media_type"


class Unauthorized(TwinplaneError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "missing or invalid credentials", **kw: Any) -> None:
        super().__init__(message, **kw)


class Forbidden(TwinplaneError):
    status = 403
    code = "forbidden"


class NotFound(TwinplaneError):
    status = 404
    code = "not_found"


class Conflict(TwinplaneError):
    status = 409
    code = "conflict"


class RateLimited(TwinplaneError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})


class Unavailable(TwinplaneError):
    status = 503
    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})


def install_error_handlers(app: Any) -> None:
    """Turn typed errors, validation errors and surprises into the one JSON error body."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    def _resp(status: int, code: str, message: str, headers: dict[str, str] | None = None,
              details: Any = None) -> JSONResponse:
        err: dict[str, Any] = {"code": code, "message": message}
        if details is not None:
            err["details"] = details
        return JSONResponse({"error": err}, status_code=status, headers=headers)

    async def on_twinplane(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TwinplaneError)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for e in exc.errors()[:20]:
            loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            problems.append({"field": loc, "problem": e.get("msg", "invalid")})
        first = problems[0] if problems else {"field": "", "problem": "invalid request"}
        msg = f"invalid request: {first['field'] or 'body'}: {first['problem']}"
        return _resp(422, "invalid_request", msg, details=problems)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
        return _resp(exc.status_code, codes.get(exc.status_code, "http_error"),
                     str(exc.detail) if exc.detail else "request failed", dict(exc.headers or {}))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return _resp(500, "internal", "internal error; the server log has details")

    app.add_exception_handler(TwinplaneError, on_twinplane)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
