"""Experiment summaries: the data plane's ``/summarize`` answer, regressions, and the printed table.

``ExperimentSummary.from_wire`` reads the shape of the wire reference (section 3.1);
``local_summary`` computes the same numbers in process for ``--no-send-logs`` runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class ScoreSummary:
    name: str
    score: float | None
    diff: float | None = None
    improvements: int = 0
    regressions: int = 0


@dataclass(frozen=True)
class MetricSummary:
    name: str
    metric: float | None
    unit: str = ""
    diff: float | None = None
    improvements: int = 0
    regressions: int = 0


@dataclass(frozen=True)
class ExperimentSummary:
    project_name: str | None
    experiment_name: str | None
    comparison_experiment_name: str | None = None
    scores: dict[str, ScoreSummary] = field(default_factory=dict)
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    experiment_url: str | None = None

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> ExperimentSummary:
        def num(v: Any) -> float | None:
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

        scores = {}
        for name, s in (body.get("scores") or {}).items():
            if isinstance(s, Mapping):
                scores[name] = ScoreSummary(name=str(s.get("name", name)), score=num(s.get("score")),
                                            diff=num(s.get("diff")), improvements=int(s.get("improvements") or 0),
                                            regressions=int(s.get("regressions") or 0))
        metrics = {}
        for name, m in (body.get("metrics") or {}).items():
            if isinstance(m, Mapping):
                metrics[name] = MetricSummary(name=str(m.get("name", name)), metric=num(m.get("metric")),
                                              unit=str(m.get("unit") or ""), diff=num(m.get("diff")),
                                              improvements=int(m.get("improvements") or 0),
                                              regressions=int(m.get("regressions") or 0))
        return cls(project_name=body.get("project_name"), experiment_name=body.get("experiment_name"),
                   comparison_experiment_name=body.get("comparison_experiment_name"), scores=scores,
                   metrics=metrics, experiment_url=body.get("experiment_url"))

    def regressions(self, thresholds: Mapping[str, float] | None = None, default_threshold: float = 0.0
                    ) -> list[ScoreSummary]:
        """Scores whose mean fell by more than their threshold against the comparison experiment."""
        thresholds = thresholds or {}
        out = []
        for name, s in self.scores.items():
            if s.diff is None:
                continue
            if s.diff < -abs(thresholds.get(name, default_threshold)) - 1e-12:
                out.append(s)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_name": self.project_name, "experiment_name": self.experiment_name,
            "comparison_experiment_name": self.comparison_experiment_name,
            "scores": {k: vars(v) for k, v in self.scores.items()},
            "metrics": {k: vars(v) for k, v in self.metrics.items()},
        }


def compare_to(summary: ExperimentSummary, baseline: Mapping[str, Any]) -> ExperimentSummary:
    """``summary`` with each score's ``diff`` against ``baseline`` (a saved ``to_dict()``)."""
    base_scores = baseline.get("scores") or {}
    scores = {}
    for name, s in summary.scores.items():
        b = base_scores.get(name) or {}
        diff = s.score - b["score"] if s.score is not None and isinstance(b.get("score"), (int, float)) else None
        scores[name] = ScoreSummary(name=name, score=s.score, diff=diff, improvements=s.improvements,
                                    regressions=s.regressions)
    return ExperimentSummary(project_name=summary.project_name, experiment_name=summary.experiment_name,
                             comparison_experiment_name=str(baseline.get("experiment_name") or "baseline file"),
                             scores=scores, metrics=summary.metrics, experiment_url=summary.experiment_url)


def local_summary(project_name: str | None, experiment_name: str | None,
                  case_scores: Iterable[Mapping[str, float | None]],
                  durations: Iterable[float] = ()) -> ExperimentSummary:
    """Mean of each score over the cases that have it (what the data plane computes), no comparison."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for case in case_scores:
        for name, value in case.items():
            if value is None:
                continue
            sums[name] = sums.get(name, 0.0) + float(value)
            counts[name] = counts.get(name, 0) + 1
    scores = {n: ScoreSummary(name=n, score=sums[n] / counts[n]) for n in sums}
    d = list(durations)
    metrics = {"duration": MetricSummary(name="duration", metric=sum(d) / len(d), unit="s")} if d else {}
    return ExperimentSummary(project_name=project_name, experiment_name=experiment_name, scores=scores,
                             metrics=metrics)


def _fmt_diff(diff: float | None, percent: bool, unit: str = "", higher_is_better: bool = True) -> str:
    if diff is None:
        return ""
    if abs(diff) < 1e-12:
        return "(-)"
    color = "green" if (diff > 0) == higher_is_better else "red"
    text = f"{diff * 100:+.2f}%" if percent else f"{diff:+.2f}{unit}"
    return f"[{color}]{text}[/{color}]"


def print_summary(summary: ExperimentSummary, console: Console | None = None,
                  thresholds: Mapping[str, float] | None = None) -> None:
    """Print the summary as a table (scores, then metrics) with the comparison when there is one."""
    console = console or Console(stderr=False)
    title = f"{summary.experiment_name or 'experiment'}"
    if summary.comparison_experiment_name:
        title += f" compared to {summary.comparison_experiment_name}"
    regressed = {s.name for s in summary.regressions(thresholds)}
    table = Table(title=title, title_justify="left")
    table.add_column("Score")
    table.add_column("Value", justify="right")
    table.add_column("Change", justify="right")
    table.add_column("Improvements", justify="right", style="green")
    table.add_column("Regressions", justify="right", style="red")
    for s in summary.scores.values():
        value = "—" if s.score is None else f"{s.score * 100:.2f}%"
        name = f"[bold red]{s.name} ▼[/bold red]" if s.name in regressed else s.name
        table.add_row(name, value, _fmt_diff(s.diff, True), str(s.improvements), str(s.regressions))
    for m in summary.metrics.values():
        if m.metric is None:
            value = "—"
        elif float(m.metric).is_integer() and m.unit != "s":
            value = f"{int(m.metric)}{m.unit}"
        else:
            value = f"{m.metric:.2f}{m.unit}"
        # for metrics (duration, tokens, cost) lower is better
        table.add_row(f"[dim]{m.name}[/dim]", value, _fmt_diff(m.diff, False, m.unit, higher_is_better=False),
                      str(m.improvements), str(m.regressions))
    console.print(table)
    if summary.experiment_url:
        console.print(f"See results at {summary.experiment_url}")
