"""Every setting has a default, a description and a line in docs/settings.md."""

from __future__ import annotations

from pathlib import Path

from twinplane.server.settings import ControlPlaneSettings, DataPlaneSettings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text(encoding="utf-8")


def _env(prefix: str, name: str) -> str:
    return "TWINPLANE_REDIS_URL" if name == "redis_url" else prefix + name.upper()


def test_every_setting_is_documented_with_a_description() -> None:
    missing = []
    for cls, prefix in ((ControlPlaneSettings, "TWINPLANE_CONTROL_"), (DataPlaneSettings, "TWINPLANE_DATA_")):
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name} has no description"
            assert not field.is_required(), f"{cls.__name__}.{name} has no default"
            if f"`{_env(prefix, name)}`" not in DOC:
                missing.append(_env(prefix, name))
    assert missing == [], f"undocumented settings (add them to docs/settings.md): {missing}"
