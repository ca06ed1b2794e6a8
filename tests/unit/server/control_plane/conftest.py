"""Fixtures for the control plane: a migrated database of each dialect, the app in process,
signed-in users and orgs with a registered data plane."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.migrations import upgrade_to_head
from twinplane.server.control_plane.runtime import Runtime
from twinplane.server.settings import ControlPlaneSettings

from .oidc_provider import OidcProvider
from .support import PASSWORD, Org, User, make_settings, sign_in


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, at a cost that keeps the suite fast; production uses the library default."""
    import functools

    from argon2 import PasswordHasher

    from twinplane.server.control_plane.services import accounts

    monkeypatch.setattr(accounts, "PasswordHasher",
                        functools.partial(PasswordHasher, time_cost=1, memory_cost=8192, parallelism=1))


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> ControlPlaneSettings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def app(settings: ControlPlaneSettings) -> Iterator[Any]:
    upgrade_to_head(settings.database_url)
    application = create_app(settings)
    yield application
    application.state.runtime.engine.dispose()


@pytest.fixture
def rt(app: Any) -> Runtime:
    return app.state.runtime


@pytest.fixture
def make_user(app: Any, rt: Runtime) -> Callable[[str], User]:
    def make(email: str) -> User:
        row = rt.accounts.create_local_user(email, PASSWORD)
        return User(row["id"], row["email"], sign_in(app, email))
    return make


@pytest.fixture
def make_org(app: Any, make_user: Callable[[str], User]) -> Callable[..., Org]:
    def make(name: str, owner: User | None = None, api_url: str | None = None) -> Org:
        owner = owner or make_user(f"owner@{name}.example")
        r = owner.post("/api/v1/orgs", {"name": name})
        assert r.status_code == 200, r.text
        org_id = r.json()["id"]
        r = owner.put(f"/api/v1/orgs/{org_id}/data-plane", {"api_url": api_url or f"https://dp.{name}.example"})
        assert r.status_code == 200, r.text
        return Org(org_id, owner, r.json()["id"], r.json()["service_token"])
    return make


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    """An OIDC provider on a free port, for the SSO flows."""
    p = OidcProvider(client_secret="s3cret-client").start()
    yield p
    p.stop()


@pytest.fixture
def sso_app(database_url: str, tmp_path: Any, provider: OidcProvider) -> Iterator[Any]:
    """The control plane with single sign-on through ``provider``."""
    upgrade_to_head(database_url)
    settings = make_settings(database_url, tmp_path, oidc_issuer=provider.issuer, oidc_client_id="twinplane",
                             oidc_client_secret="s3cret-client", oidc_display_name="Acme SSO")
    app = create_app(settings)
    yield app
    app.state.runtime.engine.dispose()
