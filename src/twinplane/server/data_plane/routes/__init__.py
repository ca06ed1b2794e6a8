"""HTTP routes of the data plane, one module per area.

Rule a newcomer could not guess: every router is built with ``guard.authenticated`` as a
router-level dependency, so a new route is authenticated by default. The only routers
without it are listed in ``PUBLIC_ROUTERS`` of ``app.py`` (health, the version handshake,
and blob URLs that carry their own signature); ``tests/.../test_route_auth.py`` walks the
route table and fails for any other unauthenticated route.
"""
