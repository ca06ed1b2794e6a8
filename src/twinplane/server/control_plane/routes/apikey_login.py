"""``POST /api/apikey/login``: the SDK's login, answered exactly as the wire reference says."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from twinplane.server.common.errors import Conflict
from twinplane.server.control_plane.authn import get_runtime, require_api_key
from twinplane.server.control_plane.runtime import Runtime
from twinplane.server.control_plane.services.api_keys import ResolvedKey

router = APIRouter(tags=["sdk"])


@router.post("/api/apikey/login")
def apikey_login(found: ResolvedKey = Depends(require_api_key), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    org = found.org
    dp = rt.data_planes.of_org(org["id"])
    if dp is None:
        raise Conflict(f"organization {org['name']!r} has no data plane registered; "
                       "an admin can set its URL under Settings → Data plane")
    return {"org_info": [{
        "id": org["id"], "name": org["name"], "api_url": dp["api_url"],
        "proxy_url": dp["proxy_url"] or dp["api_url"],
        "realtime_url": None, "is_universal_api": False, "git_metadata": None,
    }]}
