"""Who is calling: API keys (introspected at the control plane, cached) and browser JWTs (verified locally).

* ``principal``: the verified caller and what it may touch;
* ``api_keys``: the introspection cache (TTL, negative cache, single-flight, grace window);
* ``jwks``: ES256 browser-token verification against the control plane's JWKS;
* ``authenticator``: picks the path by credential shape and pins the org.
"""

from twinplane.server.data_plane.auth.authenticator import Authenticator
from twinplane.server.data_plane.auth.principal import Principal

__all__ = ["Authenticator", "Principal"]
