"""Web UI responsiveness on large objects, measured in headless Chromium with Playwright.

Both planes run as real processes (``SplitPlanes``, SQLite), the page is served from
``localhost`` and the data plane from ``127.0.0.1`` (two origins, as in production). Seeded
through the wire API:

* an experiment of ``CASES`` cases (root, task and scorer span each, as ``Eval`` logs them);
* one production trace of ``SPANS`` spans.

Timed from the start of the navigation until the first table row / span row is visible:

* ``experiment cold``: a full page load of the experiment URL (app boot, session, token,
  first page of rows);
* ``experiment in-app``: a click on the experiment in the experiments list (the usual path);
* ``trace``: a full page load of the trace URL until the span tree shows, and until all
  ``SPANS`` spans are loaded (pages of 1,000 streamed in after the first 300).

Target: table and tree visible within 1 s. Writes ``bench/results/ui.json`` and ``ui.md``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CASES = int(os.environ.get("BENCH_UI_CASES", "10000"))
SPANS = int(os.environ.get("BENCH_UI_SPANS", "10000"))
REPEATS = int(os.environ.get("BENCH_UI_REPEATS", "5"))
TARGET_MS = 1000.0
# Records, in page time (ms since the navigation started), when each selector first matches.
FIRST_SEEN = """
window.__seen = {};
new MutationObserver(() => {
  for (const [name, sel] of [["row", "[data-testid=cases-table] .vt-row[data-row-index]"], ["span", "[data-testid=span-row]"]]) {
    if (!(name in window.__seen) && document.querySelector(sel)) window.__seen[name] = performance.now();
  }
}).observe(document, { subtree: true, childList: true });
"""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _stats(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1),
            "min_ms": round(min(samples), 1), "runs": len(samples)}


def _seed(planes: Any) -> dict[str, Any]:
    from e2e.seed import Case, Seeder, now_minus

    s = Seeder(planes.data_url, planes.api_key, seed=3)
    project = s.project("bench-ui")
    exp = s.experiment(project["id"], f"{CASES}-cases", commit="0badc0de")
    cases = [Case(input={"question": f"Question number {i} about the refund policy?"}, output=f"Answer {i}",
                  expected=f"Answer {i}", scores={"ExactMatch": float(i % 3 != 0), "Levenshtein": (i % 10) / 10},
                  metadata={"bucket": i % 7}) for i in range(CASES)]
    t0 = time.monotonic()
    s.logs3(s.eval_rows(exp["id"], cases, now_minus(hours=1)))
    root = s.big_trace(project["id"], SPANS, now_minus(minutes=5))
    seeded_s = time.monotonic() - t0
    s.close()
    return {"project": project, "experiment": exp, "root": root, "seed_seconds": round(seeded_s, 1)}


def _measure(planes: Any, data: dict[str, Any]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    ui = planes.control_url.replace("127.0.0.1", "localhost")
    org = planes.state["org_id"]
    base = f"{ui}/o/{org}/p/{data['project']['id']}"
    exp_url = f"{base}/experiments/{data['experiment']['id']}"
    trace_url = f"{base}/trace/project_logs/{data['project']['id']}/{data['root']}"
    first_row = "[data-testid=cases-table] .vt-row[data-row-index]"
    out: dict[str, list[float]] = {"experiment_cold": [], "experiment_cold_in_page": [], "experiment_in_app": [],
                                   "trace_tree": [], "trace_tree_in_page": [], "trace_all_spans": []}
    dom_rows: list[int] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1360, "height": 860})
        ctx.set_default_timeout(60_000)
        page = ctx.new_page()
        page.add_init_script(FIRST_SEEN)
        page.goto(f"{ui}/login")
        page.fill("input[name=email]", planes.state["admin_email"])
        page.fill("input[name=password]", planes.state["admin_password"])
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=project-list]")
        # warm-up: caches of the browser (hashed assets) and of the data plane
        page.goto(exp_url)
        page.wait_for_selector(first_row)
        page.goto(trace_url)
        page.wait_for_selector("[data-testid=span-row]")
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            page.goto(exp_url, wait_until="commit")
            page.wait_for_selector(first_row)
            out["experiment_cold"].append((time.perf_counter() - t0) * 1000)
            out["experiment_cold_in_page"].append(page.evaluate("() => window.__seen.row"))
            dom_rows.append(page.locator(first_row).count())

            page.goto(f"{base}/experiments")
            link = page.locator("[data-testid=experiment-list]").get_by_text(f"{CASES}-cases")
            link.wait_for()
            t0 = time.perf_counter()
            link.click()
            page.wait_for_selector(first_row)
            out["experiment_in_app"].append((time.perf_counter() - t0) * 1000)

            t0 = time.perf_counter()
            page.goto(trace_url, wait_until="commit")
            page.wait_for_selector("[data-testid=span-row]")
            out["trace_tree"].append((time.perf_counter() - t0) * 1000)
            out["trace_tree_in_page"].append(page.evaluate("() => window.__seen.span"))
            page.wait_for_selector(f"[data-testid=trace-viewer][data-complete=true][data-spans='{SPANS}']")
            out["trace_all_spans"].append((time.perf_counter() - t0) * 1000)
        span_dom = page.locator("[data-testid=span-row]").count()
        browser.close()
    result: dict[str, Any] = {k: _stats(v) for k, v in out.items()}
    result["table_rows_in_dom"] = max(dom_rows)
    result["span_rows_in_dom"] = span_dom
    return result


def main() -> None:
    sys.path.insert(0, str(HERE.parent / "tests"))
    from support.planes import SplitPlanes

    if shutil.which("chromium") is None:
        raise RuntimeError("Debian chromium is not installed (make browser)")
    with tempfile.TemporaryDirectory() as tmp:
        planes = SplitPlanes(Path(tmp) / "planes")
        planes.start_control()
        planes.start_data()
        try:
            data = _seed(planes)
            timings = _measure(planes, data)
        finally:
            planes.stop()
    met = {
        "experiment_table_visible": timings["experiment_cold"]["median_ms"] <= TARGET_MS
        and timings["experiment_in_app"]["median_ms"] <= TARGET_MS,
        "trace_tree_visible": timings["trace_tree"]["median_ms"] <= TARGET_MS,
    }
    result = {
        "cases": CASES, "spans": SPANS, "repeats": REPEATS, "target_ms": TARGET_MS, "met": met,
        "seed_seconds": data["seed_seconds"], **timings,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "arch": platform.machine()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ui.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = "\n".join(
        f"| {name} | {timings[key]['median_ms']} | {timings[key]['min_ms']} | {timings[key]['max_ms']} |"
        for name, key in [("experiment, full page load → first row (wall clock)", "experiment_cold"),
                          ("experiment, full page load → first row (page clock)", "experiment_cold_in_page"),
                          ("experiment, click in list → first row", "experiment_in_app"),
                          ("trace, full page load → span tree (wall clock)", "trace_tree"),
                          ("trace, full page load → span tree (page clock)", "trace_tree_in_page"),
                          (f"trace, full page load → all {SPANS:,} spans loaded", "trace_all_spans")])
    (RESULTS / "ui.md").write_text(
        "# Web UI on large objects\n\n"
        f"Headless Chromium (Playwright), 1360×860, both planes as real processes on SQLite, page and data plane on "
        f"two origins. An experiment of {CASES:,} cases ({CASES * 3:,} spans) and a trace of {SPANS:,} spans. "
        f"{REPEATS} runs after a warm-up; times from the start of navigation to the element being visible. "
        "Wall clock: Playwright, from `page.goto` to the selector matching (includes unloading the previous page "
        "and Playwright's own round trips). Page clock: `performance.now()` in the page when a MutationObserver "
        "first sees the element. "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs.\n\n"
        "| what | median ms | min ms | max ms |\n|---|---|---|---|\n" + rows + "\n\n"
        f"Rows in the DOM for the {CASES:,}-case table: {timings['table_rows_in_dom']}; span rows in the DOM for the "
        f"{SPANS:,}-span trace: {timings['span_rows_in_dom']} (both lists are virtualized).\n\n"
        f"Target: visible within {TARGET_MS:.0f} ms: table {'met' if met['experiment_table_visible'] else 'NOT met'}, "
        f"trace tree {'met' if met['trace_tree_visible'] else 'NOT met'}.\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
