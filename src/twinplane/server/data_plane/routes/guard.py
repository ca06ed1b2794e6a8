"""The authentication dependency every non-public router carries.

Order matters: URL sanity (no NUL) → credential → org pin → rate limit, all before the route reads a body or
touches the store, so a refused or throttled request writes nothing.
"""

from __future__ import annotations

from fastapi import Request

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def authenticated(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # PostgreSQL cannot hold a NUL in text: an id or name carrying one is a 400 here, on both engines,
    # rather than a database error deep in a store.
    if "\x00" in request.scope.get("path", "") or b"%00" in request.scope.get("query_string", b""):
        raise BadRequest("a NUL character is not allowed in a URL")
    rt = runtime(request)
    client = request.client.host if request.client else None
    principal = await rt.auth.authenticate(request.headers.get("authorization"), client=client)
    await rt.limiter.check(principal)
    request.state.principal = principal
    return principal
