"""The demo loader of ``twinplane up --demo`` against real planes: what the UI will show."""

from __future__ import annotations

import httpx
import pytest

from twinplane.sdk import state as state_mod
from twinplane.sdk.config import Config
from twinplane.sdk.demo import PROJECT, load_demo

pytestmark = pytest.mark.slow


def test_demo_project_has_a_regression_logs_and_prompt_versions(planes) -> None:
    try:
        out = load_demo(planes.api_key, planes.control_url, planes.state["org_name"])
    finally:
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))
    h = {"Authorization": f"Bearer {planes.api_key}"}
    d = planes.data_url
    project = httpx.post(f"{d}/v1/project", json={"name": PROJECT}, headers=h, timeout=30).json()
    exps = httpx.get(f"{d}/v1/experiment", params={"project_id": project["id"]}, headers=h, timeout=30).json()
    by_name = {e["name"]: e for e in exps["objects"]}
    assert set(out["experiments"]) <= set(by_name)
    regression = by_name[out["experiments"][2]]
    summary = httpx.get(f"{d}/v1/experiment/{regression['id']}/summarize", params={"summarize_scores": "true"},
                        headers=h, timeout=30).json()
    assert summary["comparison_experiment_name"] == out["experiments"][0]
    assert summary["scores"]["Levenshtein"]["diff"] < 0 and summary["scores"]["Levenshtein"]["regressions"] > 0
    logs = httpx.post(f"{d}/v1/project_logs/{project['id']}/fetch", json={"limit": 1000}, headers=h,
                      timeout=30).json()["events"]
    llm = [r for r in logs if (r.get("span_attributes") or {}).get("type") == "llm"]
    assert llm and all(r["metrics"].get("prompt_tokens") for r in llm)
    prompts = httpx.get(f"{d}/v1/prompt", params={"project_name": PROJECT, "slug": "support-answer"}, headers=h,
                        timeout=30).json()["objects"]
    assert len(prompts) == 1 and "friendly" in str(prompts[0]["prompt_data"])
