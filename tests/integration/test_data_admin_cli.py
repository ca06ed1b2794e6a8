"""``twinplane data-plane delete | erase | receipts``: the data plane's admin calls from a shell, against real planes."""

from __future__ import annotations

import json
import uuid

from typer.testing import CliRunner

from twinplane.cli.main import app


def _cli(planes, *args: str, key: str | None = None):
    env = {"TWINPLANE_API_URL": planes.data_url, "TWINPLANE_API_KEY": key or planes.api_key}
    return CliRunner().invoke(app, ["data-plane", *args], env=env)


def test_delete_erase_and_receipts_from_the_shell(planes) -> None:
    with planes.client() as c:
        pid = c.post("/v1/project", json={"name": "cli-" + uuid.uuid4().hex[:6]}).json()["id"]
        exp = c.post("/v1/experiment", json={"project_id": pid, "name": "to-delete"}).json()
        rows = [{"id": str(uuid.uuid4()), "project_id": pid, "log_id": "g", "span_id": f"s{i}",
                 "root_span_id": f"r{i}", "input": "hello", "metadata": {"user_id": f"u-{i}"}} for i in range(2)]
        assert c.post("/logs3", content=json.dumps({"rows": rows})).status_code == 200

        deleted = _cli(planes, "delete", "experiment", exp["id"], "--yes")
        assert deleted.exit_code == 0, deleted.output
        assert json.loads(deleted.output)["deleted_at"]
        assert c.get(f"/v1/experiment/{exp['id']}").status_code == 404
        again = _cli(planes, "delete", "dataset", exp["id"], "--yes")  # wrong kind: not found, exit 1
        assert again.exit_code == 1 and "404" in again.output

        erased = _cli(planes, "erase", "metadata.user_id = 'u-0'", "--project-id", pid, "--yes")
        assert erased.exit_code == 0, erased.output
        receipt = json.loads(erased.output)
        assert receipt["rows"] == 1 and receipt["project_id"] == pid
        left = c.post(f"/v1/project_logs/{pid}/fetch", json={}).json()["events"]
        assert [r["metadata"]["user_id"] for r in left] == ["u-1"]
        listed = _cli(planes, "receipts")
        assert listed.exit_code == 0 and receipt["id"] in listed.output

    refused = _cli(planes, "receipts", key="tpk_not_a_key")
    assert refused.exit_code == 1 and "401" in refused.output
    unknown = _cli(planes, "delete", "table", "x", "--yes")
    assert unknown.exit_code == 2
