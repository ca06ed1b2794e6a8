"""Hostile content for the browser tests: XSS payloads in every place a row can carry text,
and a canary string that must never reach the control plane."""

from __future__ import annotations

from typing import Any

from e2e.seed import Case, Seeder, now_minus

CANARY = "CANARY-ROW-7f3a9c"

PAYLOADS = [
    '<script>window.__xss="script"</script>',
    '<img src=x onerror="window.__xss=\'img\'">',
    '<svg onload="window.__xss=\'svg\'"><circle r="5"/></svg>',
    'javascript:window.__xss="js"',
    '<a href="javascript:window.__xss=\'a\'">click me</a>',
    '"><iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "[link](javascript:window.__xss=1) **bold** <b onmouseover=window.__xss=1>hover</b>",
]


def load_hostile(seeder: Seeder) -> dict[str, Any]:
    """A project whose experiment, logs, dataset, comments and prompt carry the payloads."""
    project = seeder.project("hostile-lab")
    pid = project["id"]
    exp = seeder.experiment(pid, "payloads", commit="d00dfeed")
    cases = [Case(input={"q": p, "note": CANARY}, output=p, expected=f"{CANARY} {p}",
                  scores={"ExactMatch": 0.0, p[:20]: 0.5},
                  metadata={p: p, "canary": CANARY, "link": "javascript:window.__xss=1"}, tokens=100)
             for p in PAYLOADS]
    rows = seeder.eval_rows(exp["id"], cases, now_minus(hours=2))
    for r, p in zip([r for r in rows if r["span_parents"] is None], PAYLOADS, strict=True):
        r["tags"] = [p[:30], "canary"]
        r["span_attributes"] = {"name": p, "type": "eval"}
    seeder.logs3(rows)
    roots = [r for r in rows if r["span_parents"] is None]
    comment_rows = [{"id": f"comment-{i}", "experiment_id": exp["id"], "created": "2026-01-01T00:00:00+00:00",
                     "origin": {"id": r["id"]}, "comment": {"text": p}, "_audit_source": "app"}
                    for i, (r, p) in enumerate(zip(roots, PAYLOADS, strict=True))]
    seeder.logs3(comment_rows)
    for i, p in enumerate(PAYLOADS):
        seeder.log_trace(pid, now_minus(minutes=3 + i), f"{p} {CANARY}", p, metadata={"payload": p, "canary": CANARY},
                         name=p[:60], error=p if i % 2 else None)
    ds = seeder.dataset(pid, "payload-rows")
    seeder.logs3([{"id": f"p{i}", "dataset_id": ds["id"], "input": p, "expected": {"html": p, "canary": CANARY},
                   "metadata": {"payload": p}, "tags": [p[:30]]} for i, p in enumerate(PAYLOADS)])
    prompt = seeder.prompt(pid, "payload prompt", "payload-prompt",
                           [{"role": "system", "content": PAYLOADS[1] + " " + CANARY}, {"role": "user", "content": PAYLOADS[2]}])
    return {"project": project, "experiment": exp, "dataset": ds, "prompt": prompt, "roots": roots}
