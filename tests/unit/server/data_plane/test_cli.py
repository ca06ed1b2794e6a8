"""``twinplane data-plane check`` names what is wrong instead of starting a broken server."""

from __future__ import annotations

from typer.testing import CliRunner

from support.ports import free_port
from twinplane.cli.main import app


def test_check_reports_an_unreachable_control_plane(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TWINPLANE_DATA_DATABASE_URL", f"sqlite:///{tmp_path}/d.db")
    monkeypatch.setenv("TWINPLANE_DATA_CONTROL_URL", f"http://127.0.0.1:{free_port()}")
    result = CliRunner().invoke(app, ["data-plane", "check"])
    assert result.exit_code == 1
    assert "control plane is unreachable" in result.output
