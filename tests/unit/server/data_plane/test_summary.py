"""Experiment summary maths and its strict SDK shape."""

from __future__ import annotations

from bench.summary_naive import summarize

from twinplane.server.data_plane.store.base import TraceScores

SCORE_KEYS = {"name", "score", "improvements", "regressions"}
METRIC_KEYS = {"name", "metric", "unit", "improvements", "regressions"}


def t(root: str, inp: str | None, scores: dict, metrics: dict | None = None, origin: str | None = None) -> TraceScores:
    key = "i:" + inp if inp is not None else ("o:" + origin if origin is not None else None)
    return TraceScores(root_span_id=root, root_row_id=root, case_key=key, scores=scores, metrics=metrics or {})


def test_without_comparison_no_diff_and_exact_keys() -> None:
    scores, metrics = summarize([t("a", '"x"', {"L": 1.0}, {"duration": 0.5}), t("b", '"y"', {"L": 0.5})], None)
    assert scores["L"] == {"name": "L", "score": 0.75, "improvements": 0, "regressions": 0}
    assert set(metrics["duration"]) == METRIC_KEYS and metrics["duration"]["unit"] == "s"


def test_comparison_diff_improvements_regressions_by_input() -> None:
    mine = [t("a", '"x"', {"L": 1.0}, {"duration": 1.0, "total_tokens": 10}),
            t("b", '"y"', {"L": 0.2}, {"duration": 1.0}), t("c", '"z"', {"L": 0.5})]
    base = [t("p", '"x"', {"L": 0.5}, {"duration": 2.0, "total_tokens": 10}),
            t("q", '"y"', {"L": 0.4}, {"duration": 0.5}), t("r", '"w"', {"L": 0.0})]
    scores, metrics = summarize(mine, base)
    s = scores["L"]
    assert set(s) == SCORE_KEYS | {"diff"}
    assert (s["improvements"], s["regressions"]) == (1, 1)
    assert abs(s["diff"] - ((1.0 + 0.2 + 0.5) / 3 - 0.3)) < 1e-9
    d = metrics["duration"]
    assert set(d) == METRIC_KEYS | {"diff"} and (d["improvements"], d["regressions"]) == (1, 1)
    assert metrics["total_tokens"]["unit"] == "tok"


def test_origin_matches_when_input_is_missing() -> None:
    scores, _ = summarize([t("a", None, {"L": 1.0}, origin="row1")], [t("b", None, {"L": 0.0}, origin="row1")])
    assert scores["L"]["improvements"] == 1


def test_score_only_in_one_side_has_no_diff() -> None:
    scores, _ = summarize([t("a", '"x"', {"New": 1.0})], [t("b", '"x"', {"Old": 1.0})])
    assert set(scores["New"]) == SCORE_KEYS
