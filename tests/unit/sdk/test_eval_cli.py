"""``twinplane eval``: discovery, local runs, and the CI exit code on a regression."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from twinplane.cli.main import app

from .wire_server import API_KEY

EVAL_FILE = textwrap.dedent('''
    import os
    from twinplane import Eval
    from twinplane.scorers import Levenshtein

    answer = os.environ.get("ANSWER_PREFIX", "Hi ")
    Eval("cli-proj", data=[{"input": "foo", "expected": "Hi foo"}, {"input": "bar", "expected": "Hi bar"}],
         task=lambda i: answer + i, scores=[Levenshtein()], experiment_name=os.environ.get("EXP", "run"),
         base_experiment=os.environ.get("BASE"))
''')


def _write(tmp_path: Path) -> Path:
    d = tmp_path / "evals"
    d.mkdir()
    (d / "eval_greet.py").write_text(EVAL_FILE)
    (d / "helper.py").write_text("raise SystemExit('not an eval file')\n")
    return d


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("TWINPLANE_")}, **env}
    return subprocess.run([sys.executable, "-m", "twinplane.cli.main", "eval", *args], env=full, text=True,
                          capture_output=True, timeout=60)


def test_local_run_finds_eval_files_in_folders(tmp_path) -> None:
    d = _write(tmp_path)
    result = CliRunner().invoke(app, ["eval", str(d), "--no-send-logs", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Levenshtein" in result.output and "100.00%" in result.output
    assert "1 eval(s) ran from 1 file(s)" in result.output


def test_bad_inputs_exit_2(tmp_path) -> None:
    (tmp_path / "eval_broken.py").write_text("raise RuntimeError('boom')\n")
    r = CliRunner().invoke(app, ["eval", str(tmp_path / "eval_broken.py"), "--no-send-logs"])
    assert r.exit_code == 2 and "boom" in r.output
    (tmp_path / "empty").mkdir()
    assert CliRunner().invoke(app, ["eval", str(tmp_path / "empty")]).exit_code == 2
    r = CliRunner().invoke(app, ["eval", str(tmp_path), "--threshold", "oops"])
    assert r.exit_code == 2


def test_ci_exit_code_on_a_regression(tmp_path, server) -> None:
    d = _write(tmp_path)
    env = {"TWINPLANE_API_KEY": API_KEY, "TWINPLANE_APP_URL": server.url}
    first = _run([str(d), "--fail-on-regression", "--no-progress"], {**env, "EXP": "base"})
    assert first.returncode == 0, first.stdout + first.stderr
    worse = _run([str(d), "--fail-on-regression", "--no-progress"], {**env, "EXP": "worse", "ANSWER_PREFIX": "Hey "})
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "Regression" in worse.stdout and "Levenshtein" in worse.stdout
    # a threshold larger than the drop lets the build pass; a smaller one fails it
    tolerant = _run([str(d), "--fail-on-regression", "--threshold", "Levenshtein=0.5", "--no-progress"],
                    {**env, "EXP": "worse2", "BASE": "base", "ANSWER_PREFIX": "Hey "})
    assert tolerant.returncode == 0, tolerant.stdout + tolerant.stderr
    strict = _run([str(d), "--fail-on-regression", "--threshold", "Levenshtein=0.1", "--no-progress"],
                  {**env, "EXP": "worse4", "BASE": "base", "ANSWER_PREFIX": "Hey "})
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_offline_gating_against_a_saved_baseline(tmp_path) -> None:
    d = _write(tmp_path)
    saved = tmp_path / "baseline.json"
    env = {"EXP": "local"}
    first = _run([str(d), "--no-send-logs", "--no-progress", "--save-summaries", str(saved)], env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert '"Levenshtein"' in saved.read_text()
    worse = _run([str(d), "--no-send-logs", "--no-progress", "--baseline", str(saved), "--fail-on-regression"],
                 {**env, "ANSWER_PREFIX": "Hey "})
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "Regression" in worse.stdout and "compared to" in worse.stdout
    same = _run([str(d), "--no-send-logs", "--no-progress", "--baseline", str(saved), "--fail-on-regression"], env)
    assert same.returncode == 0, same.stdout + same.stderr
