"""``twinplane eval PATH...``: run the Evals defined in files or folders, gate CI on regressions.

Folders are searched for ``eval_*.py``, ``*_eval.py`` and ``*.eval.py``; each file runs as a
script (``__name__ == "__main__"``), and every ``Eval(...)`` it calls is collected. Exit
codes: 0 success, 1 a score regressed (with ``--fail-on-regression``), 2 a file failed to
load or no Eval ran. Only the SDK is imported: this works on the SDK-only install.
"""

from __future__ import annotations

import runpy
import sys
import traceback
from pathlib import Path

import typer
from rich.console import Console

EVAL_PATTERNS = ("eval_*.py", "*_eval.py", "*.eval.py")


def find_eval_files(paths: list[str]) -> list[Path]:
    """Files named on the command line, plus eval files under the folders named."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            hits = {f for pattern in EVAL_PATTERNS for f in p.rglob(pattern) if f.is_file()}
            found.extend(sorted(f for f in hits if not any(part.startswith(".") or part == "__pycache__"
                                                           for part in f.parts)))
        elif p.is_file():
            found.append(p)
        else:
            raise typer.BadParameter(f"{raw}: no such file or folder")
    return list(dict.fromkeys(found))


def parse_thresholds(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in values:
        name, sep, num = v.rpartition("=")
        try:
            out[name] = float(num)
        except ValueError:
            raise typer.BadParameter(f"--threshold {v!r}: expected NAME=NUMBER") from None
        if not sep or not name:
            raise typer.BadParameter(f"--threshold {v!r}: expected NAME=NUMBER")
    return out


def eval_command(
    paths: list[str] = typer.Argument(..., help="Files or folders with Eval(...) calls."),
    fail_on_regression: bool = typer.Option(False, "--fail-on-regression",
                                            help="Exit 1 when a score fell below the baseline experiment."),
    threshold: list[str] = typer.Option([], "--threshold", help="Allowed drop for a score, NAME=VALUE (e.g. "
                                        "Levenshtein=0.02); repeatable. Default 0."),
    default_threshold: float = typer.Option(0.0, "--default-threshold", help="Allowed drop for scores without "
                                            "their own --threshold."),
    no_send_logs: bool = typer.Option(False, "--no-send-logs", help="Run locally: no server, scores summarised "
                                      "in process."),
    max_concurrency: int | None = typer.Option(None, "--max-concurrency", help="Cases run at once, per Eval."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bars."),
    save_summaries: str | None = typer.Option(None, "--save-summaries", help="Write every Eval's summary to this "
                                              "JSON file (a baseline for --baseline)."),
    baseline: str | None = typer.Option(None, "--baseline", help="Compare against summaries saved with "
                                        "--save-summaries instead of the data plane's baseline (works offline)."),
) -> None:
    """Run the Evals in PATH... and print their summaries."""
    from twinplane.sdk.api import flush
    from twinplane.sdk.eval import EvalRunOptions, set_run_options

    console = Console()
    thresholds = parse_thresholds(threshold)
    files = find_eval_files(paths)
    if not files:
        console.print("[red]No eval files found[/red] (looked for " + ", ".join(EVAL_PATTERNS) + ")")
        raise typer.Exit(code=2)
    options = EvalRunOptions(no_send_logs=no_send_logs, progress=not no_progress, max_concurrency=max_concurrency,
                             console=console)
    failed_files: list[Path] = []
    set_run_options(options)
    try:
        for f in files:
            console.rule(f"[bold]{f}")
            sys.path.insert(0, str(f.resolve().parent))
            try:
                runpy.run_path(str(f), run_name="__main__")
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    failed_files.append(f)
            except Exception:
                failed_files.append(f)
                console.print(f"[red]{f} failed:[/red]\n{traceback.format_exc()}")
            finally:
                sys.path.remove(str(f.resolve().parent))
    finally:
        set_run_options(None)
    if not no_send_logs:
        result = flush(30)
        if not result.ok:
            console.print(f"[yellow]{result.dropped + result.pending} rows could not be sent[/yellow]")
    if save_summaries:
        import json

        Path(save_summaries).write_text(json.dumps({r.name: r.summary.to_dict() for r in options.results
                                                    if r.summary is not None}, indent=2))
    if baseline:
        import json

        from twinplane.sdk.summary import compare_to, print_summary

        saved = json.loads(Path(baseline).read_text())
        for res in options.results:
            if res.summary is not None and isinstance(saved.get(res.name), dict):
                res.summary = compare_to(res.summary, saved[res.name])
                print_summary(res.summary, console, thresholds)
    regressed: list[tuple[str, str, float]] = []
    for res in options.results:
        if res.summary is not None:
            for s in res.summary.regressions(thresholds, default_threshold):
                regressed.append((res.experiment_name or res.name, s.name, s.diff or 0.0))
    console.print(f"{len(options.results)} eval(s) ran from {len(files)} file(s)")
    if failed_files:
        console.print(f"[red]{len(failed_files)} file(s) failed[/red]")
        raise typer.Exit(code=2)
    if not options.results:
        console.print("[red]No Eval(...) ran[/red]")
        raise typer.Exit(code=2)
    if regressed:
        for exp, name, diff in regressed:
            console.print(f"[red]Regression[/red] in {exp}: {name} changed by {diff * 100:+.2f}%")
        if fail_on_regression:
            raise typer.Exit(code=1)
