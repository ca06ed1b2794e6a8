"""The data plane in process against the REAL control plane in process.

``plane`` builds: a migrated control-plane database with an org, a registered data plane
(service token) and API keys; the control-plane app; a data-plane store; and the data-plane
app whose control-plane client talks to that app through ``httpx.ASGITransport``. Both
lifespans run, so the data plane pins its org exactly as in production.
"""

from __future__ import annotations

import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from twinplane.server.settings import ControlPlaneSettings, DataPlaneSettings

CONTROL = "http://control.test"
DATA = "http://dp.test"


@dataclass
class Plane:
    app: Any
    control_app: Any
    settings: DataPlaneSettings
    store: Any
    org_id: str
    org_name: str
    user_id: str
    api_key: str
    data_plane_id: str
    control_rt: Any
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, key: str | None = None, **headers: str) -> httpx.AsyncClient:
        h = dict(headers)
        if key is not False:
            h.setdefault("Authorization", f"Bearer {key or self.api_key}")
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=DATA, headers=h, timeout=30)
        self.clients.append(c)
        return c

    def anonymous(self, **headers: str) -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=DATA, headers=headers)
        self.clients.append(c)
        return c

    def new_key(self, *, project_id: str | None = None, read_only: bool = False, user_id: str | None = None,
                org_id: str | None = None) -> str:
        _, key = self.control_rt.api_keys.create_for_user(org_id or self.org_id, user_id or self.user_id, "test",
                                                          project_id, read_only)
        return key

    def add_user(self, email: str, role: str) -> str:
        local, _, domain = email.partition("@")
        u = self.control_rt.accounts.create_local_user(f"{local}-{uuid.uuid4().hex[:6]}@{domain}", None)
        self.control_rt.store.add_member(self.org_id, u["id"], role)
        return u["id"]

    def browser_token(self, *, user_id: str | None = None, role: str = "editor") -> str:
        dp = self.control_rt.data_planes.of_org(self.org_id)
        return self.control_rt.tokens.mint(user_id=user_id or self.user_id, org_id=self.org_id, role=role,
                                           data_plane=dp)["token"]


def control_settings(tmp_path: Any) -> ControlPlaneSettings:
    from twinplane.server.common.envelope import generate_key_entry
    from twinplane.server.control_plane.services.browser_tokens import generate_private_key_pem

    pem = tmp_path / "jwt.pem"
    pem.write_bytes(generate_private_key_pem())
    return ControlPlaneSettings(
        database_url=f"sqlite:///{tmp_path}/control.db", public_url=CONTROL, kek=generate_key_entry("1"),
        api_key_pepper=base64.b64encode(os.urandom(32)).decode(), session_secret="s" * 40,
        jwt_private_key_path=str(pem), login_attempts_per_minute=1000)


@pytest.fixture(scope="session")
def control_app(tmp_path_factory: Any) -> Iterator[Any]:
    """ONE real control plane for the session (its argon2 set-up is slow); each test gets its own org."""
    from twinplane.server.control_plane.app import create_app as create_control
    from twinplane.server.control_plane.migrations import upgrade_to_head

    cs = control_settings(tmp_path_factory.mktemp("control"))
    upgrade_to_head(cs.database_url)
    app = create_control(cs)
    try:
        yield app
    finally:
        app.state.runtime.engine.dispose()


@pytest.fixture
def data_overrides() -> dict[str, Any]:
    """Override to change data-plane settings for a test module."""
    return {}


async def build_plane(tmp_path: Any, database_url: str, overrides: dict[str, Any],
                      control_app: Any = None) -> AsyncIterator[Plane]:
    """A data plane of a fresh org; without ``control_app``, on a control plane of its own."""
    if control_app is None:
        from twinplane.server.control_plane.app import create_app as create_control
        from twinplane.server.control_plane.migrations import upgrade_to_head

        (tmp_path / "own-control").mkdir(exist_ok=True)
        cs = control_settings(tmp_path / "own-control")
        upgrade_to_head(cs.database_url)
        own = create_control(cs)
        try:
            async for p in build_plane(tmp_path, database_url, overrides, own):
                yield p
        finally:
            own.state.runtime.engine.dispose()
        return
    from twinplane.server.data_plane.app import create_app
    from twinplane.server.data_plane.store.factory import open_store

    crt = control_app.state.runtime
    tag = uuid.uuid4().hex[:8]
    user = crt.accounts.create_local_user(f"owner-{tag}@acme.test", None)  # no password: no argon2 cost
    org = crt.store.create_org(f"acme-{tag}", user["id"])
    dp, service_token = crt.data_planes.register(org["id"], DATA, None)
    _, api_key = crt.api_keys.create_for_user(org["id"], user["id"], "main")
    values: dict[str, Any] = {
        "database_url": database_url, "public_url": DATA, "control_url": CONTROL,
        "data_plane_id": dp["id"], "service_token": service_token, "cors_origins": [CONTROL],
        "blob_dir": str(tmp_path / "blobs"), "rate_limit_org": "100000/second", "rate_limit_key": "100000/second",
    }
    values.update(overrides)
    settings = DataPlaneSettings(**values)
    store = open_store(settings)
    await store.start()
    app = create_app(settings, store=store, control_transport=httpx.ASGITransport(app=control_app))
    plane = Plane(app=app, control_app=control_app, settings=settings, store=store, org_id=org["id"],
                  org_name=org["name"], user_id=user["id"], api_key=api_key, data_plane_id=dp["id"], control_rt=crt)
    try:
        async with app.router.lifespan_context(app):
            yield plane
            for c in plane.clients:
                await c.aclose()
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def one_plane(tmp_path: Any, control_app: Any, overrides: dict[str, Any]) -> AsyncIterator[Plane]:
    """A SQLite data plane with its own settings inside a test; its app's lifespan has ended on leaving."""
    planes = build_plane(tmp_path, f"sqlite:///{tmp_path}/d.db", overrides, control_app)
    plane = await anext(planes)
    try:
        yield plane
    finally:
        with contextlib.suppress(StopAsyncIteration):
            await anext(planes)  # the rest of build_plane: clients, lifespan, store


@pytest.fixture
async def plane(tmp_path: Any, data_overrides: dict[str, Any], control_app: Any) -> AsyncIterator[Plane]:
    """SQLite store (route-level tests)."""
    async for p in build_plane(tmp_path, f"sqlite:///{tmp_path}/data.db", data_overrides, control_app):
        yield p


@pytest.fixture
async def dplane(tmp_path: Any, database_url: str, data_overrides: dict[str, Any],
                 control_app: Any) -> AsyncIterator[Plane]:
    """Parametrized over SQLite and PostgreSQL (service-level tests)."""
    async for p in build_plane(tmp_path, database_url, data_overrides, control_app):
        yield p
