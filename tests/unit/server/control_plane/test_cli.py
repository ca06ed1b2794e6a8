"""``twinplane control-plane`` admin commands, run on a real database."""

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from twinplane.cli.control_plane import app as cli
from twinplane.server.control_plane.bootstrap import ensure_local_secrets
from twinplane.server.control_plane.runtime import build_runtime
from twinplane.server.settings import ControlPlaneSettings


def test_bootstrap_create_and_revoke_keys(tmp_path: Path, database_url: str, monkeypatch: Any) -> None:
    env = {**ensure_local_secrets(str(tmp_path)), "TWINPLANE_CONTROL_DATABASE_URL": database_url}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    runner = CliRunner()
    r = runner.invoke(cli, ["bootstrap", "--admin-email", "root@example.com", "--admin-password", "pw-0123456789",
                            "--org", "acme", "--data-plane-url", "https://dp.acme.example"])
    assert r.exit_code == 0, r.output
    assert "tpk_" in r.output and "tps_" in r.output
    again = runner.invoke(cli, ["bootstrap", "--admin-email", "root@example.com", "--admin-password", "x" * 9,
                                "--org", "acme", "--data-plane-url", "https://dp.acme.example"])
    assert again.exit_code == 0 and "tpk_" not in again.output and "nothing created" in again.output

    r = runner.invoke(cli, ["create-key", "--org", "acme", "--email", "root@example.com", "--name", "ci",
                            "--read-only", "--expires-in-days", "30"])
    assert r.exit_code == 0, r.output
    key = r.output.split()[0]
    rt = build_runtime(ControlPlaneSettings())
    try:
        found = rt.api_keys.resolve(key)
        assert found is not None and found.key["read_only"] and found.key["expires_at"] is not None
        r = runner.invoke(cli, ["revoke-key", "--org", "acme", key[:16]])
        assert r.exit_code == 0, r.output
        assert rt.api_keys.resolve(key) is None
    finally:
        rt.engine.dispose()

    r = runner.invoke(cli, ["create-key", "--org", "acme", "--email", "stranger@example.com"])
    assert r.exit_code == 1 and "not a member" in r.output
    r = runner.invoke(cli, ["reseal-secrets"])
    assert r.exit_code == 0 and "re-encrypted 0" in r.output


def test_commands_refuse_to_run_without_secrets(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TWINPLANE_CONTROL_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    for var in ("KEK", "API_KEY_PEPPER", "SESSION_SECRET", "JWT_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(f"TWINPLANE_CONTROL_{var}", raising=False)
    r = CliRunner().invoke(cli, ["reseal-secrets"])
    assert r.exit_code == 2 and "TWINPLANE_CONTROL_KEK" in r.output
