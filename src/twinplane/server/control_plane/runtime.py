"""Everything a request handler needs, built once from the settings by ``create_app``.

Building it validates every secret setting, so a misconfigured server refuses to start
instead of failing later (or, worse, storing a secret unencrypted).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from twinplane.server.common import credential
from twinplane.server.common.db import create_db_engine
from twinplane.server.common.envelope import KeyRing
from twinplane.server.control_plane.services.accounts import Accounts
from twinplane.server.control_plane.services.api_keys import ApiKeys
from twinplane.server.control_plane.services.browser_tokens import (
    BrowserTokens,
    load_private_key,
    load_public_key,
)
from twinplane.server.control_plane.services.data_planes import DataPlanes
from twinplane.server.control_plane.services.objects import ObjectNames
from twinplane.server.control_plane.services.oidc import OidcConfig, OidcSignIn
from twinplane.server.control_plane.services.orgs import Orgs
from twinplane.server.control_plane.services.projects import Projects
from twinplane.server.control_plane.services.secrets import ProviderSecrets
from twinplane.server.control_plane.services.sessions import Sessions
from twinplane.server.control_plane.services.throttle import LoginThrottle
from twinplane.server.control_plane.store import ControlStore
from twinplane.server.settings import ControlPlaneSettings

__all__ = ["Runtime", "ConfigurationError", "build_runtime"]


class ConfigurationError(Exception):
    """A setting is missing or invalid; the message names the variable to fix."""


@dataclass
class Runtime:
    settings: ControlPlaneSettings
    engine: Engine
    store: ControlStore
    accounts: Accounts
    sessions: Sessions
    throttle: LoginThrottle
    orgs: Orgs
    projects: Projects
    objects: ObjectNames
    api_keys: ApiKeys
    secrets: ProviderSecrets
    data_planes: DataPlanes
    tokens: BrowserTokens
    oidc: OidcSignIn | None

    @property
    def secure_cookies(self) -> bool:
        return self.settings.public_url.startswith("https://")


def build_runtime(settings: ControlPlaneSettings, engine: Engine | None = None) -> Runtime:
    try:
        keyring = KeyRing.parse(settings.kek)
    except ValueError as err:
        raise ConfigurationError(f"TWINPLANE_CONTROL_KEK: {err}") from None
    try:
        pepper = credential.decode_pepper(settings.api_key_pepper)
    except ValueError as err:
        raise ConfigurationError(f"TWINPLANE_CONTROL_API_KEY_PEPPER: {err}") from None
    try:
        private_key = load_private_key(settings.jwt_private_key_path)
    except ValueError as err:
        raise ConfigurationError(f"TWINPLANE_CONTROL_JWT_PRIVATE_KEY_PATH: {err}") from None
    try:
        retired = tuple(load_public_key(path) for path in settings.jwt_retired_key_paths)
    except ValueError as err:
        raise ConfigurationError(f"TWINPLANE_CONTROL_JWT_RETIRED_KEY_PATHS: {err}") from None
    if len(settings.session_secret) < 32:
        raise ConfigurationError("TWINPLANE_CONTROL_SESSION_SECRET must be at least 32 characters")
    if settings.max_body_bytes < 1024:
        raise ConfigurationError("TWINPLANE_CONTROL_MAX_BODY_BYTES must be at least 1024")
    engine = engine or create_db_engine(settings.database_url)
    store = ControlStore(engine)
    accounts = Accounts(store)
    public_url = settings.public_url.rstrip("/")
    oidc = None
    if settings.oidc_issuer:
        if not settings.oidc_client_id:
            raise ConfigurationError("TWINPLANE_CONTROL_OIDC_CLIENT_ID is required when OIDC is enabled")
        oidc = OidcSignIn(OidcConfig(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
                                     settings.oidc_scopes, public_url + "/api/v1/auth/oidc/callback"),
                          store, settings.session_secret)
    return Runtime(
        settings=settings, engine=engine, store=store, accounts=accounts,
        sessions=Sessions(store, settings.session_secret, settings.session_ttl_seconds),
        throttle=LoginThrottle(settings.login_attempts_per_minute, settings.login_attempts_per_address_per_minute),
        orgs=Orgs(store, accounts), projects=Projects(store), objects=ObjectNames(store),
        api_keys=ApiKeys(store, pepper), secrets=ProviderSecrets(store, keyring),
        data_planes=DataPlanes(store, pepper),
        tokens=BrowserTokens(private_key, public_url, settings.jwt_ttl_seconds, retired), oidc=oidc,
    )
