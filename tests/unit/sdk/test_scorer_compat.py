"""Scorers cross over: Twinplane scorers in braintrust's Eval (autoevals-style call and result)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from .wire_server import API_KEY

SCRIPT = textwrap.dedent('''
    import braintrust
    from twinplane.scorers import ExactMatch, Levenshtein

    res = braintrust.Eval("compat", data=[{"input": "a", "expected": "Hi a"}, {"input": "b", "expected": "Hi c"}],
                          task=lambda x: "Hi " + x, scores=[Levenshtein(), ExactMatch()])
    print("SCORES", sorted((k, v) for r in res.results for k, v in r.scores.items()))
''')


def test_twinplane_scorers_in_braintrust_eval(server) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    env.update(BRAINTRUST_API_KEY=API_KEY, BRAINTRUST_APP_URL=server.url, BRAINTRUST_DISABLE_ATEXIT_FLUSH="1")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("SCORES"))
    assert "('ExactMatch', 0.0)" in line and "('ExactMatch', 1.0)" in line and "('Levenshtein', 0.75)" in line
    rows = server.logs3_rows()
    assert any((r.get("scores") or {}).get("Levenshtein") == 1.0 for r in rows)
