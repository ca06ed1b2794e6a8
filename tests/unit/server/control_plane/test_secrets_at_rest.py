"""Nothing secret is stored or logged in clear; sealed secrets resist tampering and copying."""

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from twinplane.server.common.envelope import KeyRing, generate_key_entry
from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.tables import metadata, secrets

from .support import PASSWORD, bearer, make_settings


def _dump(engine: Any, database_url: str) -> bytes:
    """Every value of every table, plus (SQLite) the raw database and WAL files."""
    chunks: list[bytes] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                chunks += [v if isinstance(v, bytes) else str(v).encode() for v in row]
        if engine.dialect.name == "postgresql":
            for (name,) in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public'")):
                for row in conn.execute(text(f'SELECT * FROM "{name}"')):
                    chunks += [bytes(v) if isinstance(v, memoryview) else str(v).encode() for v in row]
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for f in (path, Path(str(path) + "-wal")):
            if f.exists():
                chunks.append(f.read_bytes())
    return b"\n".join(chunks)


def test_no_plaintext_credential_in_the_database_or_logs(app: Any, rt: Any, make_org: Any, database_url: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    org = make_org("acme")
    plaintexts = [PASSWORD, org.service_token]
    value = "sk-canary-" + "Q7x" * 10
    r = org.owner.post(f"/api/v1/orgs/{org.id}/secrets", {"name": "openai", "provider": "openai", "value": value})
    assert r.status_code == 200
    plaintexts.append(value)
    for i in range(3):
        key = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": f"k{i}"}).json()["key"]
        plaintexts.append(key)
        plaintexts.append(key[17:])  # the secret part alone (after "tpk_<lookup>_")
        assert bearer(app, key).post("/api/apikey/login").status_code == 200
        assert org.internal(app).post("/internal/v1/introspect", json={"token": key}).json()["active"]
    rotated = org.owner.post(f"/api/v1/orgs/{org.id}/data-plane/service-token").json()["service_token"]
    plaintexts.append(rotated)
    assert bearer(app, rotated).post("/internal/v1/secrets/resolve", json={"name": "openai"}).json()["value"] == value
    plaintexts.append(org.owner.client.cookies["tp_session"])
    plaintexts.append(org.owner.client.cookies["tp_csrf"])

    dump = _dump(rt.engine, database_url)
    assert len(dump) > 1000
    for p in plaintexts:
        assert p.encode() not in dump, p[:6]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for p in plaintexts:
        assert p not in logged


def _sealed_row(rt: Any, secret_id: str) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        return dict(conn.execute(select(secrets).where(secrets.c.id == secret_id)).mappings().one())


def test_a_flipped_bit_fails_to_decrypt(app: Any, rt: Any, make_org: Any) -> None:
    org = make_org("acme")
    sid = org.owner.post(f"/api/v1/orgs/{org.id}/secrets",
                         {"name": "k", "provider": "openai", "value": "sk-0123456789abcdef"}).json()["id"]
    row = _sealed_row(rt, sid)
    assert row["key_version"] == "1" and len(row["nonce"]) == 12
    flipped = bytearray(row["ciphertext"])
    flipped[3] ^= 0x10
    with rt.engine.begin() as conn:
        conn.execute(update(secrets).where(secrets.c.id == sid).values(ciphertext=bytes(flipped)))
    r = org.internal(app).post("/internal/v1/secrets/resolve", json={"name": "k"})
    assert r.status_code == 500 and "sk-" not in r.text and "set it again" in r.json()["error"]["message"]


def test_a_ciphertext_copied_to_another_orgs_row_fails(app: Any, rt: Any, make_org: Any) -> None:
    a, b = make_org("org-a"), make_org("org-b")
    sa = a.owner.post(f"/api/v1/orgs/{a.id}/secrets",
                      {"name": "k", "provider": "openai", "value": "sk-AAAA-0123456789"}).json()["id"]
    sb = b.owner.post(f"/api/v1/orgs/{b.id}/secrets",
                      {"name": "k", "provider": "openai", "value": "sk-BBBB-0123456789"}).json()["id"]
    stolen = _sealed_row(rt, sa)
    with rt.engine.begin() as conn:
        conn.execute(update(secrets).where(secrets.c.id == sb).values(
            key_version=stolen["key_version"], nonce=stolen["nonce"], ciphertext=stolen["ciphertext"]))
    r = b.internal(app).post("/internal/v1/secrets/resolve", json={"name": "k"})
    assert r.status_code == 500 and "AAAA" not in r.text
    assert a.internal(app).post("/internal/v1/secrets/resolve", json={"name": "k"}).json()["value"] == "sk-AAAA-0123456789"


def test_key_rotation_keeps_old_secrets_readable(database_url: str, tmp_path: Any, make_org: Any, app: Any,
                                                 settings: Any) -> None:
    org = make_org("acme")
    org.owner.post(f"/api/v1/orgs/{org.id}/secrets", {"name": "k", "provider": "openai", "value": "sk-old-0123456789"})
    rotated_settings = settings.model_copy(update={"kek": generate_key_entry("2") + "," + settings.kek})
    rotated = create_app(rotated_settings)
    try:
        rt2 = rotated.state.runtime
        assert rt2.secrets.resolve(org.id, name="k")["value"] == "sk-old-0123456789"
        assert rt2.secrets.reseal_all() == 1
        assert rt2.secrets.reseal_all() == 0
        row = _sealed_row(rt2, rt2.secrets.resolve(org.id, name="k")["id"])
        assert row["key_version"] == "2"
        assert rt2.secrets.resolve(org.id, name="k")["value"] == "sk-old-0123456789"
        assert KeyRing.parse(settings.kek).versions == ["1"]
    finally:
        rotated.state.runtime.engine.dispose()


@pytest.mark.parametrize("field,value,variable", [
    ("kek", "", "TWINPLANE_CONTROL_KEK"),
    ("kek", "1:dG9vc2hvcnQ=", "TWINPLANE_CONTROL_KEK"),
    ("api_key_pepper", "", "TWINPLANE_CONTROL_API_KEY_PEPPER"),
    ("session_secret", "short", "TWINPLANE_CONTROL_SESSION_SECRET"),
    ("jwt_private_key_path", "/nonexistent/key.pem", "TWINPLANE_CONTROL_JWT_PRIVATE_KEY_PATH"),
])
def test_the_server_refuses_to_start_without_valid_secrets(tmp_path: Any, field: str, value: str,
                                                           variable: str) -> None:
    from twinplane.server.control_plane.runtime import ConfigurationError

    settings = make_settings(f"sqlite:///{tmp_path}/x.db", tmp_path, **{field: value})
    with pytest.raises(ConfigurationError, match=variable):
        create_app(settings)
