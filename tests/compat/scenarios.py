"""Flows of the official ``braintrust`` SDK, run in a subprocess per scenario.

Usage: python scenarios.py SCENARIO PROJECT  (env: BRAINTRUST_API_KEY, BRAINTRUST_APP_URL,
TP_DATA_URL). The last stdout line is ``RESULT: <json>``. Each scenario runs in its own
process because the SDK keeps global login state.
"""

from __future__ import annotations

import json
import os
import sys

import braintrust
import requests
from autoevals import Levenshtein

CANARY = os.environ.get("TP_CANARY", "canary-0000")


def _result(obj: dict) -> None:
    print("RESULT: " + json.dumps(obj), flush=True)


def _api(method: str, path: str, **kw):
    r = requests.request(method, os.environ["TP_DATA_URL"] + path,
                         headers={"Authorization": "Bearer " + os.environ["BRAINTRUST_API_KEY"]}, timeout=30, **kw)
    r.raise_for_status()
    return r.json()


CASES = [
    {"input": "foo", "expected": "Hi foo"},
    {"input": "bar", "expected": "Hello bar"},
    {"input": "baz", "expected": "Hi baz"},
]


def eval_run(project: str, greeting: str, experiment: str) -> None:
    result = braintrust.Eval(
        project,
        data=lambda: [dict(c, metadata={"note": CANARY}) for c in CASES],
        task=lambda inp: f"{greeting} {inp}",
        scores=[Levenshtein],
        experiment_name=experiment,
    )
    summary = result.summary
    _result({
        "experiment_name": summary.experiment_name,
        "comparison": summary.comparison_experiment_name,
        "scores": {k: {"score": v.score, "diff": v.diff, "improvements": v.improvements,
                       "regressions": v.regressions} for k, v in (summary.scores or {}).items()},
    })


def logger_flow(project: str) -> None:
    logger = braintrust.init_logger(project=project)

    @braintrust.traced
    def inner(x: int) -> int:
        return x * 2

    @braintrust.traced
    def outer(x: int) -> int:
        braintrust.current_span().log(metadata={"secret_note": CANARY}, tags=["t1"])
        return inner(x) + 1

    with logger.start_span(name="manual") as span:
        out = outer(3)
        span.log(input={"question": f"what is {CANARY}?"}, output=out, metrics={"tokens": 5})
        manual_id = span.id
        root_span_id = span.root_span_id
    logger.log_feedback(id=manual_id, scores={"human": 0.5}, comment=f"nice {CANARY}", metadata={"who": "me"})
    logger.flush()
    project_id = logger.project.id if hasattr(logger, "project") else logger.id
    _result({"manual_id": manual_id, "root_span_id": root_span_id, "project_id": project_id})


def dataset_flow(project: str) -> None:
    ds = braintrust.init_dataset(project=project, name="ds1", description="d")
    for rid, inp, exp in (("row-a", "foo", "Hi foo"), ("row-b", "bar", "Hi bar"), ("row-c", "baz", "Hi baz")):
        ds.insert(id=rid, input=inp, expected=exp, tags=["seed"], metadata={"k": CANARY})
    ds.flush()
    v1 = braintrust.init_dataset(project=project, name="ds1").version
    ds.update(id="row-b", metadata={"updated": True})
    ds.delete("row-c")
    ds.flush()
    summary = ds.summarize()
    current = sorted(r["id"] for r in braintrust.init_dataset(project=project, name="ds1"))
    pinned_ds = braintrust.init_dataset(project=project, name="ds1", version=v1)
    pinned = sorted(r["id"] for r in pinned_ds)
    row_b = [r for r in braintrust.init_dataset(project=project, name="ds1") if r["id"] == "row-b"][0]
    result = braintrust.Eval(
        project,
        data=braintrust.init_dataset(project=project, name="ds1"),
        task=lambda inp: "Hi " + inp,
        scores=[Levenshtein],
        experiment_name="on-dataset",
    )
    exp_id = result.summary.experiment_id
    _result({"v1": v1, "current": current, "pinned": pinned, "row_b_metadata": row_b.get("metadata"),
             "total_records": summary.data_summary.total_records if summary.data_summary else None,
             "experiment_id": exp_id, "dataset_id": ds.id})


BIG_REPEAT = 20_000  # "é€" repeated: ~100 KB of UTF-8, far above the small_payload_planes limit


def overflow_flow(project: str) -> None:
    logger = braintrust.init_logger(project=project)
    logger.log(input="small", output="ok", metadata={"size": "small"})
    logger.log(input={"text": "é€" * BIG_REPEAT}, output="big", metadata={"size": "big"})
    logger.flush()
    bg = braintrust.logger._internal_get_global_state().global_bg_logger()
    project_id = logger.project.id if hasattr(logger, "project") else logger.id
    _result({"project_id": project_id, "big_repeat": BIG_REPEAT,
             "overflow_uploads": getattr(bg, "_overflow_upload_count", None)})


def prompt_flow(project: str) -> None:
    pid = _api("POST", "/v1/project", json={"name": project})["id"]
    versions = []
    for text in (f"You are {{{{who}}}} v1 {CANARY}", "You are {{who}} v2"):
        p = _api("POST", "/v1/prompt", json={
            "project_id": pid, "name": "Greeter", "slug": "greeter", "description": "greets",
            "prompt_data": {"prompt": {"type": "chat", "messages": [{"role": "system", "content": text}]},
                            "options": {"model": "gpt-4o-mini", "params": {"temperature": 0}}},
            "tags": ["t"],
        })
        versions.append(p["_xact_id"])
    latest = braintrust.load_prompt(project=project, slug="greeter")
    first = braintrust.load_prompt(project=project, slug="greeter", version=versions[0])
    _result({
        "versions": versions,
        "latest": latest.build(who="a bot")["messages"][0]["content"],
        "first": first.build(who="a bot")["messages"][0]["content"],
        "latest_version": latest.version,
    })


if __name__ == "__main__":
    scenario, project = sys.argv[1], sys.argv[2]
    if scenario == "eval1":
        eval_run(project, "Hi", "exp1")
    elif scenario == "eval2":
        eval_run(project, "Hello", "exp2")
    elif scenario == "logger":
        logger_flow(project)
    elif scenario == "dataset":
        dataset_flow(project)
    elif scenario == "overflow":
        overflow_flow(project)
    elif scenario == "prompt":
        prompt_flow(project)
    else:
        raise SystemExit(f"unknown scenario {scenario}")
