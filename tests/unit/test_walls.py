"""The walls of STYLE.md, checked on the source: who may import whom.

* the SDK (everything outside ``twinplane.server`` and ``twinplane.cli``) never imports
  ``twinplane.server`` nor a server-only package;
* the control plane and the data plane never import each other.

An AST check (not import-linter's runtime graph) so lazy imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "twinplane"
SERVER_ONLY = {"fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "psycopg", "psycopg_pool",
               "argon2", "authlib", "jwt", "limits", "redis", "lark", "pydantic_settings"}
# server-only packages named by a dotted prefix (opentelemetry's SDK and API are fine for the SDK; the OTLP
# protobuf classes are the data plane's, in the server extra)
SERVER_ONLY_PREFIXES = ("opentelemetry.proto", "google.protobuf")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _files(sub: str) -> list[Path]:
    return sorted((SRC / sub).rglob("*.py"))


def test_sdk_never_imports_the_server() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).parts
        if rel[0] in ("server", "cli"):
            continue
        for name in _imports(path):
            top = name.split(".")[0]
            if (name.startswith(("twinplane.server", "twinplane.cli", *SERVER_ONLY_PREFIXES))
                    or top in SERVER_ONLY):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_planes_never_import_each_other() -> None:
    offenders = []
    for me, other in (("control_plane", "data_plane"), ("data_plane", "control_plane")):
        for path in _files(f"server/{me}"):
            for name in _imports(path):
                if name.startswith(f"twinplane.server.{other}"):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_common_and_wire_import_neither_plane() -> None:
    offenders = []
    for sub in ("server/common", "wire"):
        for path in _files(sub):
            for name in _imports(path):
                if name.startswith(("twinplane.server.control_plane", "twinplane.server.data_plane")):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_cli_imports_server_code_lazily() -> None:
    """`twinplane eval` must run on the SDK-only install: server imports in the CLI sit inside functions."""
    offenders = []
    for path in _files("cli"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            for m in mods:
                if m.startswith(("twinplane.server", *SERVER_ONLY_PREFIXES)) or m.split(".")[0] in SERVER_ONLY:
                    offenders.append(f"{path.relative_to(SRC)} imports {m} at module level")
    assert offenders == []
