"""The Dockerfile, Compose files and CloudFormation template agree with the code.

There is no Docker engine here, so these check the files against the settings models and
the CLI; tests/integration/test_entrypoints.py runs the same entrypoint commands outside Docker.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from twinplane.cli.main import app
from twinplane.server.settings import ControlPlaneSettings, DataPlaneSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


class _AnyTagLoader(yaml.SafeLoader):
    """CloudFormation's short intrinsic functions (!Ref, !Sub, ...) as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_AnyTagLoader.add_multi_constructor("!", _any_tag)


def _known_env() -> set[str]:
    names = {"TWINPLANE_REDIS_URL"}
    for cls, prefix in ((ControlPlaneSettings, "TWINPLANE_CONTROL_"), (DataPlaneSettings, "TWINPLANE_DATA_")):
        names |= {prefix + n.upper() for n in cls.model_fields}
    return names


def _compose_services(name: str) -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / name).read_text())["services"]


@pytest.mark.parametrize("name", ["compose.yaml", "compose.data-plane.yaml"])
def test_compose_env_names_are_real_settings(name: str) -> None:
    known = _known_env()
    for svc in _compose_services(name).values():
        for var in (svc.get("environment") or {}):
            if var.startswith("TWINPLANE_"):
                assert var in known, f"{name}: {var} is not a setting"


@pytest.mark.parametrize("name", ["compose.yaml", "compose.data-plane.yaml"])
def test_compose_commands_are_cli_commands(name: str) -> None:
    runner = CliRunner()
    for svc in _compose_services(name).values():
        if "command" in svc:
            result = runner.invoke(app, [*svc["command"], "--help"])
            assert result.exit_code == 0, (svc["command"], result.output)


def test_data_plane_compose_requires_its_registration() -> None:
    env = _compose_services("compose.data-plane.yaml")["data-plane"]["environment"]
    for var in ("TWINPLANE_DATA_DATA_PLANE_ID", "TWINPLANE_DATA_SERVICE_TOKEN", "TWINPLANE_DATA_CONTROL_URL",
                "TWINPLANE_DATA_CORS_ORIGINS", "TWINPLANE_DATA_PUBLIC_URL"):
        assert ":?" in str(env[var]), f"{var} should be required"
    assert env["TWINPLANE_DATA_DATABASE_URL"].startswith("postgresql://")
    assert env["TWINPLANE_REDIS_URL"].startswith("redis://")


def test_cloudformation_template_wires_every_required_setting() -> None:
    tpl = yaml.load((DEPLOY / "cloudformation-data-plane.yaml").read_text(), Loader=_AnyTagLoader)
    container = tpl["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert container["Command"] == ["data-plane", "serve"]
    names = {e["Name"] for e in container["Environment"]} | {s["Name"] for s in container["Secrets"]}
    known = _known_env()
    assert names <= known, names - known
    for required in ("TWINPLANE_DATA_DATA_PLANE_ID", "TWINPLANE_DATA_SERVICE_TOKEN", "TWINPLANE_DATA_DATABASE_URL",
                     "TWINPLANE_DATA_CONTROL_URL", "TWINPLANE_DATA_PUBLIC_URL", "TWINPLANE_DATA_CORS_ORIGINS"):
        assert required in names
    # the service token comes from Secrets Manager, never a plain parameter
    assert "TWINPLANE_DATA_SERVICE_TOKEN" in {s["Name"] for s in container["Secrets"]}
    # every !Ref names a parameter or a resource
    text = (DEPLOY / "cloudformation-data-plane.yaml").read_text()
    declared = set(tpl["Parameters"]) | set(tpl["Resources"]) | {"AWS::Region"}
    for ref in re.findall(r"!Ref ([A-Za-z:]+)", text):
        assert ref in declared, ref
    assert tpl["Resources"]["TargetGroup"]["Properties"]["HealthCheckPath"] == "/readyz"
    # blobs in the stack's private S3 bucket, which only the task's own role may use
    resources = tpl["Resources"]
    env = {e["Name"]: e["Value"] for e in container["Environment"]}
    assert env["TWINPLANE_DATA_BLOB_S3_BUCKET"] == "BlobBucket" and "TWINPLANE_DATA_BLOB_DIR" not in env
    assert resources["BlobBucket"]["Type"] == "AWS::S3::Bucket" and resources["BlobBucket"]["DeletionPolicy"] == "Retain"
    assert all(resources["BlobBucket"]["Properties"]["PublicAccessBlockConfiguration"].values())
    assert resources["TaskDefinition"]["Properties"]["TaskRoleArn"] == "TaskRole.Arn"
    statements = resources["TaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])} == {
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"}
    # an update of a stack from the EFS releases keeps that file system (its blobs are copied over by hand)
    assert resources["Blobs"]["Type"] == "AWS::EFS::FileSystem" and resources["Blobs"]["DeletionPolicy"] == "Retain"
    assert not any(r["Type"] == "AWS::EFS::MountTarget" for r in resources.values())
    for cond in re.findall(r"Condition: ([A-Za-z0-9]+)", text):
        assert cond in tpl["Conditions"], cond


def test_cloudformation_template_passes_cfn_lint() -> None:
    """AWS's own linter (resource schemas, property types, deprecated engine versions), offline."""
    from cfnlint.api import lint_all

    problems = lint_all((DEPLOY / "cloudformation-data-plane.yaml").read_text())
    # errors and warnings, as the `cfn-lint` command reports by default (not its informational hints)
    assert [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in problems if m.rule.id[0] in "EW"] == []


def test_dockerfile_entrypoint_and_defaults() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["twinplane"]' in text
    assert 'CMD ["data-plane", "serve"]' in text
    assert "pip install '.[server]'" in text
    assert "USER twinplane" in text
    for var in re.findall(r"(TWINPLANE_[A-Z_]+)=", text):
        assert var in _known_env(), var
