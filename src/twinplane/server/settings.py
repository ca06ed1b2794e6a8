"""Typed settings, one model per plane, read once at start and passed down.

Every field has a default and a description, and a line in ``docs/settings.md``
(a test fails when one is missing). Environment variables:

* control plane: ``TWINPLANE_CONTROL_<FIELD>``
* data plane:    ``TWINPLANE_DATA_<FIELD>`` (plus ``TWINPLANE_REDIS_URL``)
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Host names both planes answer by default (besides their public_url's host).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ControlPlaneSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TWINPLANE_CONTROL_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./.twinplane/control.db",
        description="SQLAlchemy URL of the control-plane database (sqlite:///... or postgresql+psycopg://...).",
    )
    host: str = Field("127.0.0.1", description="Interface the control-plane server binds to.")
    port: int = Field(8000, description="Port the control-plane server listens on.")
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="URL browsers and SDKs use to reach the control plane; the JWT issuer. May carry a base path.",
    )
    kek: str = Field(
        "",
        description=(
            "Key-encryption keys for provider secrets: comma-separated 'version:base64(32 bytes)' entries; "
            "the first encrypts, all decrypt (rotation). The server refuses to start without a valid one."
        ),
    )
    api_key_pepper: str = Field(
        "",
        description="Server-side pepper (base64, >= 32 bytes) for the HMAC-SHA-256 of API keys and service tokens. Required.",
    )
    session_secret: str = Field(
        "",
        description="Secret (>= 32 chars) that signs session cookies and CSRF tokens. Required.",
    )
    jwt_private_key_path: str = Field(
        "",
        description="PEM file of the ES256 private key that signs browser tokens for data planes. Required.",
    )
    jwt_retired_key_paths: list[str] = Field(
        default_factory=list,
        description=(
            "PEM files (public or private keys) of ES256 keys that no longer sign but whose tokens data planes "
            "must still accept: published in the JWKS beside the signing key. Keep a replaced key here until every "
            "replica signs with the new one and its last token expired (jwt_ttl_seconds). JSON list."
        ),
    )
    jwt_ttl_seconds: int = Field(300, description="Lifetime of browser tokens minted for data planes.")
    session_ttl_seconds: int = Field(7 * 24 * 3600, description="Lifetime of a sign-in session cookie.")
    login_attempts_per_minute: int = Field(
        10, description="Failed sign-in attempts allowed per minute for one account from one client address."
    )
    login_attempts_per_address_per_minute: int = Field(
        100,
        description=(
            "Failed sign-in attempts allowed per minute from one client address (all accounts together), and for "
            "one account (all addresses together). Much higher than login_attempts_per_minute, so an attacker "
            "can neither spray passwords nor lock other users out."
        ),
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description=(
            "Comma-separated addresses of trusted reverse proxies whose X-Forwarded-For / X-Forwarded-Proto "
            "headers give the client's address ('*' trusts every peer: only when nothing else can reach the port)."
        ),
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS),
        description=(
            "Host names the control plane answers for, besides public_url's host (always allowed); other Host "
            "headers get 400 (DNS-rebinding defence). '*.example.com' matches subdomains, '*' any host. "
            "Add the name data planes use in their control_url. JSON list."
        ),
    )
    max_body_bytes: int = Field(1024 * 1024, description="Largest request body the control plane accepts, in bytes.")
    oidc_issuer: str = Field("", description="OIDC issuer URL; empty disables OIDC sign-in.")
    oidc_client_id: str = Field("", description="OIDC client id.")
    oidc_client_secret: str = Field("", description="OIDC client secret (empty for public clients using PKCE only).")
    oidc_scopes: str = Field("openid email profile", description="Scopes requested at OIDC sign-in.")
    oidc_display_name: str = Field("Single sign-on", description="Label of the OIDC button on the sign-in page.")
    static_dir: str = Field(
        "", description="Folder of the built web UI; empty means the package's control_plane/static."
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, description=(
            "Port of the Prometheus metrics listener (GET /metrics, no credentials: bind it where only your "
            "monitoring reaches, see metrics_host); 0 turns it off."),
    )
    metrics_host: str = Field("127.0.0.1", description="Interface the metrics listener binds to.")
    log_level: str = Field("info", description="Log level of the control-plane server.")


class DataPlaneSettings(BaseSettings):
    # populate_by_name: fields with an alias (redis_url) also take their own name as a keyword
    model_config = SettingsConfigDict(env_prefix="TWINPLANE_DATA_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        "sqlite:///./.twinplane/data.db",
        description="URL of the data-plane database (sqlite:///... or postgresql://...).",
    )
    host: str = Field("127.0.0.1", description="Interface the data-plane server binds to.")
    port: int = Field(8100, description="Port the data-plane server listens on.")
    public_url: str = Field(
        "http://127.0.0.1:8100",
        description="URL SDKs and browsers use to reach this data plane; written into proxied login answers.",
    )
    control_url: str = Field(
        "http://127.0.0.1:8000", description="URL this data plane uses to reach its control plane."
    )
    data_plane_id: str = Field("", description="This data plane's id at the control plane (the JWT audience). Required.")
    service_token: str = Field("", description="Service token this data plane presents on internal calls. Required.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Exact browser origins allowed by CORS (the control plane's public origins). JSON list.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS),
        description=(
            "Host names the data plane answers for, besides public_url's host (always allowed); other Host "
            "headers get 400 (DNS-rebinding defence), except on /healthz and /readyz. '*.example.com' matches "
            "subdomains, '*' any host. JSON list."
        ),
    )
    redis_url: str = Field(
        "",
        validation_alias=AliasChoices("TWINPLANE_REDIS_URL", "TWINPLANE_DATA_REDIS_URL"),
        description="Redis URL (TWINPLANE_REDIS_URL) shared by replicas for rate limits and the auth cache; empty means in memory.",
    )
    blob_dir: str = Field("./.twinplane/blobs", description="Directory of the local blob store (attachments, overflow payloads).")
    blob_s3_bucket: str = Field(
        "", description=(
            "S3 bucket of the blob store (attachments, overflow payloads); empty means the local blob_dir. "
            "Credentials come from the standard AWS chain (environment, profile, instance or task role)."),
    )
    blob_s3_endpoint_url: str = Field(
        "", description="Endpoint of an S3-compatible server such as MinIO (https://minio.internal:9000); empty means AWS.",
    )
    blob_s3_region: str = Field("", description="Region of the S3 bucket; empty means the AWS chain's (AWS_REGION, profile).")
    blob_s3_prefix: str = Field(
        "", description="Key prefix of every blob-store object in the bucket (twinplane/); empty means the bucket's root.",
    )
    blob_s3_addressing_style: Literal["auto", "path", "virtual"] = Field(
        "auto", description="S3 addressing: 'path' (bucket in the path, usual for MinIO), 'virtual' (bucket in the host) or 'auto'.",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        "NORMAL",
        description="SQLite synchronous mode: NORMAL survives process crashes, FULL also survives power loss (slower).",
    )
    auth_cache_ttl_seconds: float = Field(60, description="How long a validated API key is trusted without asking the control plane.")
    auth_negative_ttl_seconds: float = Field(10, description="How long a refused API key is remembered as refused.")
    auth_grace_seconds: float = Field(
        900, description="How long already-validated keys keep working while the control plane is unreachable."
    )
    auth_refused_keys_per_client_minute: int = Field(
        60,
        description=(
            "Refused never-seen API keys one client address may present per minute before its further unknown "
            "keys get 429 without a control-plane call (introspection amplification brake; 0 turns it off)."
        ),
    )
    jwks_ttl_seconds: float = Field(3600, description="How long the control plane's JWKS is cached.")
    rate_limit_org: str = Field("20000/second", description="Request rate limit per org (limits syntax).")
    rate_limit_key: str = Field("10000/second", description="Request rate limit per API key (limits syntax).")
    max_body_bytes: int = Field(64 * 1024 * 1024, description="Largest request body accepted, in bytes.")
    logs3_payload_max_bytes: int = Field(
        6 * 1024 * 1024, description="Payload size advertised by /version; larger batches use the overflow upload."
    )
    max_row_bytes: int = Field(8 * 1024 * 1024, description="Largest single row accepted, in bytes.")
    max_json_depth: int = Field(64, description="Deepest JSON nesting accepted in a row.")
    jwt_issuer: str = Field(
        "", description="Expected 'iss' of browser tokens (the control plane's public_url); empty means control_url."
    )
    redis_prefix: str = Field("twinplane:", description="Prefix of every Redis key this data plane writes.")
    retention_sweep_seconds: float = Field(
        600, ge=0, description=(
            "How often projects' log retention (project setting retention_days) is applied: logs older than it "
            "are deleted with their versions and search entries. 0 turns the sweep off."),
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, description=(
            "Port of the Prometheus metrics listener (GET /metrics, no credentials: bind it where only your "
            "monitoring reaches, see metrics_host); 0 turns it off."),
    )
    metrics_host: str = Field("127.0.0.1", description="Interface the metrics listener binds to.")
    log_level: str = Field("info", description="Log level of the data-plane server.")
