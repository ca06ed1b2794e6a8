"""Renders ``bench/results/query.md`` from every ``query_<engine>.json`` the query benchmark wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

LABELS = {
    "filtered_newest_roots": "newest 50 roots, `{filter}`",
    "search_rare": "full text rare term + filter, newest 50",
    "search_one_percent": "full text 1 % term + filter, newest 50",
    "search_common": "full text very common term + filter, newest 50",
    "mean_score_by_object": "mean score grouped by object, all spans",
    "summary_with_comparison": "summary + comparison, {cases:,}-case experiment",
    "trace_100_spans": "one 100-span trace",
}
SORTED_LABELS = {
    "logs_spans_by_score": "main logs, spans by a score",
    "logs_spans_by_tokens": "main logs, spans by tokens",
    "logs_roots_by_score": "main logs, traces by their mean score",
    "logs_roots_by_score_filtered": "main logs, traces by their mean score, `{filter}`",
    "logs_roots_by_tokens": "main logs, traces by their total tokens",
    "logs_roots_by_model": "main logs, traces by `metadata.model` ascending (every root's JSON)",
    "logs_spans_by_name_filtered": "main logs, spans by name ascending, `{filter}`",
    "experiment_roots_by_score": "{cases:,}-case experiment, traces by score",
    "experiment_spans_by_score_asc": "{cases:,}-case experiment, spans by score ascending",
}
ENGINES = ("sqlite", "postgresql")
NOTE = """\
How it is measured: `bench/bench_query.py` (corpus in `bench/query_corpus.py`, naive SQL in
`bench/query_naive.py`). Spans are generated deterministically (seeded): traces of 3–8 spans
(eval/task/llm/tool/score) plus five 100-span agent traces, chat-message inputs, outputs,
metadata, scores on score spans, token metrics; text drawn from a Zipf(1.1) vocabulary of
50,000 synthetic words. Four projects' logs and 100 experiments (two of 10,000 cases sharing
their inputs). Loaded through `Store.write_rows` (1,000-row calls, 4 in flight); measured
after the full-text index caught up (polled). Our figures go through the real read paths
(`fetch_rows`, `aggregate`, `summary_stats` + `summary_items`, `trace`), ≥ 20 runs after 2
warm-ups; naive ones are direct SQL on the same database over the stored row JSON (JSON
extraction for filters, sorts and scores; full-text hits ranked by bm25 / ts_rank, then
sorted by time), as many runs as fit in 45 s (at least 3). Speed-up = naive p50 / our p50.
Targets are SQLite's; PostgreSQL's are twice them. Other work shared the 2 cores: see the
load averages (1, 5, 15 min) per engine."""


def _ms(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def _target(t: dict[str, Any]) -> str:
    parts = []
    if t.get("p50") is not None:
        parts.append(f"p50 ≤ {t['p50']:g}")
    if t.get("p95") is not None:
        parts.append(f"p95 ≤ {t['p95']:g}")
    return ", ".join(parts)


def _engine(d: dict[str, Any]) -> list[str]:
    c = d.get("corpus", {})
    out = [f"## {d['engine']}", ""]
    ver = d.get("sqlite_version") or d.get("postgres_version", "").split(" on ")[0]
    load = d.get("load", {})
    out.append(f"`{d.get('command', '')}` — {c.get('spans', 0):,} spans (mean {c.get('mean_span_json_bytes', 0):,} "
               f"B of JSON), {ver}, {d.get('machine', {}).get('nproc')} CPUs, database files "
               f"{d.get('db_bytes', 0) / 1e9:.2f} GB right after the load (WAL included), finished {d.get('finished', '?')} "
               f"in {d.get('total_seconds', 0):,.0f} s.")
    out.append("")
    out.append(f"Load: {load.get('rows', 0):,} rows in {load.get('seconds', 0):,} s = "
               f"**{load.get('rows_per_second', 0):,} rows/s** through `write_rows` (rows generated in a child "
               f"process; {load.get('waited_for_generator_seconds', 0)} s of it waiting for the generator); "
               f"full-text index caught up "
               f"{load.get('fts_catch_up_seconds', '?')} s after the last acknowledgement"
               + (f"; `VACUUM (ANALYZE)` {d['vacuum_analyze_seconds']} s" if "vacuum_analyze_seconds" in d else "")
               + ".")
    files = d.get("files_after_load")
    if files:
        out.append("Files right after the load: " + ", ".join(f"`{k}` {v / 1e9:.2f} GB" for k, v in files.items()) + ".")
    git = d.get("git", {})
    if git:
        dirty = git.get("uncommitted_data_plane_files") or []
        out.append(f"Code: commit {git.get('head')}" + (f" plus uncommitted data-plane changes in {len(dirty)} files "
                                                        f"({', '.join(f'`{x}`' for x in dirty[:8])})" if dirty else "")
                   + ".")
    la = d.get("loadavg", {})
    out.append("Load average: " + ", ".join(f"{k} {tuple(round(x, 2) for x in v)}" for k, v in la.items()) + ".")
    if d.get("postgres_settings"):
        out.append("Settings: " + ", ".join(f"{k}={v}" for k, v in d["postgres_settings"].items()) + " (defaults)"
                   + (f"; the store's sessions add `{d['store_session_options']}`" if d.get("store_session_options")
                      else "") + ".")
    terms = d.get("terms", {})
    out.append("Terms (document frequency in the main logs, "
               f"{c.get('main_logs_spans', 0):,} spans): "
               + ", ".join(f"{k} `{v['term']}` {v['spans']:,} ({v['share'] * 100:.3g} %)" for k, v in terms.items())
               + f". Filter: `{c.get('filter')}`.")
    out += ["", "| query | p50 ms | p95 ms | target ms | met? | naive p50 ms | speed-up | check |",
            "|---|---|---|---|---|---|---|---|"]
    misses = []
    for name, r in d.get("queries", {}).items():
        label = LABELS.get(name, name).format(filter=c.get("filter"), cases=c.get("big_experiment_cases", 0))
        chk = r.get("check", {})
        agree = chk.get("agree")
        if agree is None:
            agree = (f"{chk.get('rows')} rows, overlap {chk.get('overlap')}"
                     + ("" if chk.get("all_match_filter", True) and chk.get("all_contain_term", True) else " WRONG"))
        else:
            agree = "agree" if agree else "DIFFER"
        met = "yes" if r.get("met") else "**no**"
        if not r.get("met"):
            misses.append((label, r))
        out.append(f"| {label} | {_ms(r['ours']['p50'])} | {_ms(r['ours']['p95'])} | {_target(r['target'])} | {met} "
                   f"| {_ms(r.get('naive', {}).get('p50'))} ({r.get('naive', {}).get('runs', 0)} runs) "
                   f"| {r.get('speedup', 0):,}× | {agree} |")
    for label, r in misses:
        out += ["", f"Missed: {label}. Plan of the store's statement(s):", "", "```"]
        seen = set()
        for p in r.get("plans", []):
            if p["sql"] in seen:  # the summary runs each statement once per experiment
                continue
            seen.add(p["sql"])
            out.append(p["sql"][:600] + (" …" if len(p["sql"]) > 600 else ""))
            out += ["  " + line for line in p["plan"][:30] if "Buffers:" not in line]
        out.append("```")
    if d.get("sorted_pages"):
        out += ["", "Sorted list pages (first page of 50, descending unless named; not a query of issue 6, "
                "so no target or naive run):", "", "| page | p50 ms | p95 ms | check |", "|---|---|---|---|"]
        for name, r in d["sorted_pages"].items():
            label = SORTED_LABELS.get(name, name).format(filter=c.get("filter"), cases=c.get("big_experiment_cases", 0))
            chk = r.get("check", {})
            order = {True: ", in order", False: ", **out of order**"}.get(chk.get("ordered"), "")
            out.append(f"| {label} | {_ms(r['ours']['p50'])} | {_ms(r['ours']['p95'])} | {chk.get('rows')} rows{order} |")
    if d.get("notes"):
        out += ["", *d["notes"]]
    return out + [""]


def write(results: Path) -> None:
    lines = ["# Query benchmark", "", NOTE, ""]
    for engine in ENGINES:
        f = results / f"query_{engine}.json"
        if f.exists():
            lines += _engine(orjson.loads(f.read_bytes()))
    notes = results / "query_notes.md"
    if notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    (results / "query.md").write_text("\n".join(lines))
