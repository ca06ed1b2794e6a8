"""Deterministic data for the browser tests and the UI benchmark, written through the data
plane's public wire API (``/v1/project``, ``/v1/experiment``, ``/logs3``, ``/v1/prompt``) with an
API key, exactly as the SDK writes it: root span, task span and a scorer span per case.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BATCH = 500


def _hex(n: int, rnd: random.Random) -> str:
    return "".join(rnd.choice("0123456789abcdef") for _ in range(n))


@dataclass
class Case:
    input: Any
    output: Any
    expected: Any = None
    scores: dict[str, float | None] | None = None
    metadata: dict[str, Any] | None = None
    tokens: int = 0


class Seeder:
    """Writes rows to one data plane with one API key."""

    def __init__(self, data_url: str, api_key: str, seed: int = 7) -> None:
        self.http = httpx.Client(base_url=data_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60)
        self.rnd = random.Random(seed)

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, body: Any) -> Any:
        r = self.http.post(path, json=body)
        r.raise_for_status()
        return r.json() if r.content else None

    def project(self, name: str) -> dict[str, Any]:
        return self._post("/v1/project", {"name": name})

    def experiment(self, project_id: str, name: str, *, commit: str | None = None, branch: str = "main",
                   base_exp_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"project_id": project_id, "name": name, "ensure_new": True, "public": False}
        if commit:
            body["repo_info"] = {"commit": commit, "branch": branch, "dirty": False, "author_name": "Ada",
                                 "commit_message": f"tune prompt ({name})"}
        if base_exp_id:
            body["base_exp_id"] = base_exp_id
        return self._post("/v1/experiment", body)

    def dataset(self, project_id: str, name: str) -> dict[str, Any]:
        return self._post("/v1/dataset", {"project_id": project_id, "name": name})

    def prompt(self, project_id: str, name: str, slug: str, messages: list[dict[str, str]], model: str = "gpt-4o-mini",
               temperature: float = 0.2) -> dict[str, Any]:
        return self._post("/v1/prompt", {
            "project_id": project_id, "name": name, "slug": slug,
            "prompt_data": {"prompt": {"type": "chat", "messages": messages, "tools": None},
                            "options": {"model": model, "params": {"temperature": temperature}}},
        })

    def logs3(self, rows: list[dict[str, Any]]) -> None:
        for i in range(0, len(rows), BATCH):
            self._post("/logs3", {"rows": rows[i:i + BATCH], "api_version": 2})

    # ---- shapes the SDK produces ----

    def _span(self, ident: dict[str, Any], root: str, parent: str | None, name: str, kind: str, start: float,
              end: float, **fields: Any) -> dict[str, Any]:
        sid = _hex(16, self.rnd)
        row = {"id": str(uuid.UUID(int=self.rnd.getrandbits(128))), "span_id": sid, "root_span_id": root,
               "span_parents": [parent] if parent else None, **ident,
               "created": datetime.fromtimestamp(start, UTC).isoformat(),
               "span_attributes": {"name": name, "type": kind}, "metrics": {"start": start, "end": end}}
        row.update({k: v for k, v in fields.items() if v is not None})
        return row

    def eval_rows(self, experiment_id: str, cases: list[Case], start: float) -> list[dict[str, Any]]:
        """Root ``eval`` span + ``task`` span + one ``score`` span per case, as Eval logs them."""
        ident = {"experiment_id": experiment_id}
        rows: list[dict[str, Any]] = []
        t = start
        for c in cases:
            root = _hex(32, self.rnd)
            dur = 0.2 + self.rnd.random() * 1.5
            r = self._span(ident, root, None, "eval", "eval", t, t + dur, input=c.input, output=c.output,
                           expected=c.expected, metadata=c.metadata)
            r["root_span_id"] = root
            rows.append(r)
            task = self._span(ident, root, r["span_id"], "task", "task", t + 0.01, t + dur * 0.8, input=c.input,
                              output=c.output)
            rows.append(task)
            if c.tokens:
                rows.append(self._span(ident, root, task["span_id"], "Chat Completion", "llm", t + 0.02, t + dur * 0.75,
                                       input=[{"role": "system", "content": "Answer briefly."},
                                              {"role": "user", "content": str(c.input)}],
                                       output=[{"role": "assistant", "content": str(c.output)}],
                                       metrics={"start": t + 0.02, "end": t + dur * 0.75, "prompt_tokens": c.tokens // 3,
                                                "completion_tokens": c.tokens - c.tokens // 3, "tokens": c.tokens}))
            if c.scores:
                rows.append(self._span(ident, root, r["span_id"], "scorers", "score", t + dur * 0.8, t + dur,
                                       scores=c.scores, span_attributes={"name": "scorers", "type": "score", "purpose": "scorer"}))
            t += dur + 0.05
        return rows

    def log_trace(self, project_id: str, start: float, question: str, answer: str, *, tools: int = 1,
                  metadata: dict[str, Any] | None = None, error: str | None = None, name: str = "answer") -> str:
        """One production trace: root task → llm (+ tool calls), as ``@traced`` + ``wrap_openai`` log it."""
        ident = {"project_id": project_id, "log_id": "g"}
        root = _hex(32, self.rnd)
        dur = 0.5 + self.rnd.random() * 2
        r = self._span(ident, root, None, name, "task", start, start + dur, input={"question": question},
                       output=answer, metadata=metadata, error=error)
        rows = [r]
        t = start + 0.05
        for i in range(tools):
            rows.append(self._span(ident, root, r["span_id"], "search_docs", "tool", t, t + 0.2,
                                   input={"query": question[:40], "k": 3}, output=[f"doc-{i}-{j}" for j in range(3)]))
            t += 0.22
        msgs = [{"role": "system", "content": "You are a helpful support agent."}, {"role": "user", "content": question}]
        rows.append(self._span(ident, root, r["span_id"], "Chat Completion", "llm", t, start + dur - 0.02,
                               input=msgs, output=[{"role": "assistant", "content": answer}],
                               metadata={"model": "gpt-4o-mini", "temperature": 0.2},
                               metrics={"start": t, "end": start + dur - 0.02, "prompt_tokens": 180, "completion_tokens": 60,
                                        "tokens": 240, "estimated_cost": 0.00011}))
        self.logs3(rows)
        return root

    def big_trace(self, project_id: str, spans: int, start: float) -> str:
        """A trace of ``spans`` spans: a root with ~100 steps of ~spans/100 spans each, nested 3 deep."""
        ident = {"project_id": project_id, "log_id": "g"}
        root = _hex(32, self.rnd)
        total = spans * 0.001
        r = self._span(ident, root, None, "agent_run", "task", start, start + total, input={"task": "big"}, output="done")
        rows = [r]
        per_step = max(1, (spans - 1) // 100)
        t = start
        while len(rows) < spans:
            step = self._span(ident, root, r["span_id"], f"step {len(rows)}", "function", t, t + per_step * 0.001)
            rows.append(step)
            parent = step["span_id"]
            for j in range(per_step - 1):
                if len(rows) >= spans:
                    break
                kind = "llm" if j % 3 == 0 else "tool"
                child = self._span(ident, root, parent, f"{kind} call {j}", kind, t + j * 0.001, t + (j + 1) * 0.001,
                                   input={"i": j}, output={"ok": True})
                rows.append(child)
                if j % 10 == 9:
                    parent = child["span_id"]  # some depth
            t += per_step * 0.001
        self.logs3(rows[:spans])
        return root


def now_minus(**kw: float) -> float:
    return (datetime.now(UTC) - timedelta(**kw)).timestamp()
