"""The official ``braintrust`` SDK (0.48.1) and ``autoevals`` (0.4.1) against Twinplane, unchanged.

Both planes run as two processes with two databases (``twinplane up``). Every flow runs
twice: normal mode (login at the control plane, data at the data plane) and data-plane-only
mode (the SDK is given only the data plane's URL; the data plane forwards login).
"""

from __future__ import annotations

import uuid

import httpx
import pytest

MODES = ["normal", "data-plane-only"]


def api(planes, method: str, path: str, **kw) -> dict:
    r = httpx.request(method, planes.data_url + path, headers={"Authorization": f"Bearer {planes.api_key}"},
                      timeout=30, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def _project() -> str:
    return "compat-" + uuid.uuid4().hex[:8]


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_two_evals_compare(planes, braintrust_scenario, mode: str) -> None:
    project = _project()
    first = braintrust_scenario(planes, mode, "eval1", project)
    assert first["experiment_name"] == "exp1"
    assert first["scores"]["Levenshtein"]["score"] == pytest.approx((1 + (1 - 4 / 9) + 1) / 3, abs=1e-3)
    second = braintrust_scenario(planes, mode, "eval2", project)
    assert second["comparison"] == "exp1"
    lev = second["scores"]["Levenshtein"]
    assert (lev["improvements"], lev["regressions"]) == (1, 2)
    assert lev["diff"] == pytest.approx(lev["score"] - first["scores"]["Levenshtein"]["score"], abs=1e-6)
    assert "exp2 compared to exp1" in second["_output"]
    assert "1 improvements, 2 regressions" in second["_output"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_logger_traced_feedback_tree(planes, braintrust_scenario, mode: str) -> None:
    project = _project()
    res = braintrust_scenario(planes, mode, "logger", project)
    events = api(planes, "POST", f"/v1/project_logs/{res['project_id']}/fetch", json={"limit": 1000})["events"]
    spans = [e for e in events if e.get("root_span_id") == res["root_span_id"] and not e.get("comment")]
    by_name = {e["span_attributes"]["name"]: e for e in spans}
    assert set(by_name) == {"manual", "outer", "inner"}
    manual, outer, inner = by_name["manual"], by_name["outer"], by_name["inner"]
    assert manual["span_parents"] in (None, [])
    assert outer["span_parents"] == [manual["span_id"]]
    assert inner["span_parents"] == [outer["span_id"]]
    assert inner["input"] == {"x": 3} and inner["output"] == 6 and outer["output"] == 7
    assert outer["tags"] == ["t1"] and "secret_note" in outer["metadata"]
    assert manual["scores"] == {"human": 0.5}
    assert manual["metrics"]["tokens"] == 5 and "end" in manual["metrics"]
    assert all(isinstance(e["_xact_id"], str) and len(e["_xact_id"]) == 19 for e in events)
    comments = [e for e in events if e.get("comment")]
    assert len(comments) == 1 and comments[0]["origin"]["id"] == res["manual_id"]
    assert comments[0]["comment"]["text"].startswith("nice ")


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_dataset_versions_and_eval_origin(planes, braintrust_scenario, mode: str) -> None:
    project = _project()
    res = braintrust_scenario(planes, mode, "dataset", project)
    assert res["current"] == ["row-a", "row-b"]
    assert res["pinned"] == ["row-a", "row-b", "row-c"]
    assert res["row_b_metadata"] == {"k": "canary-0000", "updated": True}
    assert res["total_records"] == 2
    events = api(planes, "POST", f"/v1/experiment/{res['experiment_id']}/fetch", json={"limit": 1000})["events"]
    roots = [e for e in events if not e.get("span_parents")]
    assert len(roots) == 2
    for root in roots:
        assert root["origin"]["object_type"] == "dataset"
        assert root["origin"]["object_id"] == res["dataset_id"]
        assert root["origin"]["id"] in ("row-a", "row-b")


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_load_prompt_by_slug_and_version(planes, braintrust_scenario, mode: str) -> None:
    project = _project()
    res = braintrust_scenario(planes, mode, "prompt", project)
    assert res["versions"][0] < res["versions"][1]
    assert res["latest"] == "You are a bot v2"
    assert res["first"].startswith("You are a bot v1")
    assert res["latest_version"] == res["versions"][1]


@pytest.mark.slow
def test_a_row_larger_than_the_advertised_limit_goes_through_overflow(small_payload_planes,
                                                                       braintrust_scenario) -> None:
    planes = small_payload_planes
    res = braintrust_scenario(planes, "normal", "overflow", _project())
    assert res["overflow_uploads"] == 1  # the SDK's own count: slot, upload, reference
    assert "log request failed" not in res["_output"]
    events = api(planes, "POST", f"/v1/project_logs/{res['project_id']}/fetch", json={"limit": 1000})["events"]
    rows = {e["metadata"]["size"]: e for e in events}
    assert set(rows) == {"small", "big"}
    assert rows["big"]["input"] == {"text": "é€" * res["big_repeat"]} and rows["big"]["output"] == "big"
    assert rows["small"]["input"] == "small" and rows["small"]["output"] == "ok"
