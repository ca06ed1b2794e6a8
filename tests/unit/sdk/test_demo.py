"""The demo loader of ``twinplane up --demo`` against the wire server."""

from __future__ import annotations

from twinplane.sdk.demo import PROJECT, load_demo

from .wire_server import API_KEY


def test_load_demo_creates_everything(server, sdk) -> None:
    out = load_demo(API_KEY, server.url)
    assert out["experiments"] == ["baseline-gpt-4o-mini", "prompt-v2", "short-answers-regression"]
    (project,) = server.projects.values()
    assert project["name"] == PROJECT
    exps = {e["name"]: e for e in server.experiments.values()}
    base = exps["baseline-gpt-4o-mini"]["id"]
    assert exps["short-answers-regression"]["base_exp_id"] == base
    summary = server._summarize(exps["short-answers-regression"]["id"], base)
    assert summary["scores"]["Levenshtein"]["diff"] < 0 and summary["scores"]["Levenshtein"]["regressions"] > 0
    (ds,) = server.datasets.values()
    assert len(server.rows("dataset", ds["id"])) == 8
    versions = [p for p in server.prompts if p["slug"] == "support-answer"]
    assert len(versions) == 2
    logs = server.rows("project_logs", project["id"])
    llm = [r for r in logs if (r.get("span_attributes") or {}).get("type") == "llm"]
    assert llm and all("prompt_tokens" in r["metrics"] for r in llm)
    roots = [r for r in logs if (r.get("span_attributes") or {}).get("name") == "handle_request"]
    assert len(roots) == 12 and any(r.get("error") for r in roots)
    assert any("user_rating" in (r.get("scores") or {}) for r in roots)
    assert any(r.get("comment") for r in logs)
    exp_rows = server.rows("experiment", base)
    assert any(r["span_attributes"]["type"] == "llm" and r["metrics"]["tokens"] > 0 for r in exp_rows)
