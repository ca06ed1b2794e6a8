"""``Eval``: run a task over cases, score each output, log the traces, print the summary.

Span layout (like Braintrust's): per case a root span of type ``eval`` with input,
expected, output, metadata and ``origin`` (dataset rows); a ``task`` child; one ``score``
child per scorer with ``purpose: "scorer"`` and ``scores: {name: value}``. Task and
scorer errors are recorded on their spans and the run goes on. At the end the data
plane's summary (with the baseline comparison) is printed; ``no_send_logs`` computes it
locally instead. ``twinplane eval`` runs files of Evals and gates CI on regressions.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from twinplane.sdk.eval_data import EvalCase, iterate_cases
from twinplane.sdk.experiment import Experiment, init
from twinplane.sdk.scoring import read_scores, run_scorer, scorer_name
from twinplane.sdk.span import NOOP_SPAN, NoopSpan, Span
from twinplane.sdk.summary import ExperimentSummary, local_summary, print_summary

logger = logging.getLogger(__name__)


@dataclass
class EvalHooks:
    """Given to tasks that take a second argument: the case's metadata and span."""

    span: Span | NoopSpan
    metadata: dict[str, Any]
    expected: Any
    trial_index: int

    def meta(self, **info: Any) -> None:
        """Add metadata to the case's root span."""
        self.metadata.update(info)


@dataclass
class EvalCaseResult:
    input: Any
    expected: Any
    output: Any
    scores: dict[str, float | None]
    metadata: dict[str, Any]
    error: str | None = None
    scorer_errors: dict[str, str] = field(default_factory=dict)
    root_span_id: str | None = None
    duration: float = 0.0


@dataclass
class EvalResult:
    name: str
    experiment_name: str | None
    experiment_id: str | None
    results: list[EvalCaseResult]
    summary: ExperimentSummary | None

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error or r.scorer_errors)

    def regressions(self, thresholds: Mapping[str, float] | None = None) -> list[Any]:
        return self.summary.regressions(thresholds) if self.summary else []


@dataclass
class EvalRunOptions:
    """Overrides the ``twinplane eval`` command applies to every Eval of the files it runs."""

    no_send_logs: bool = False
    progress: bool = True
    max_concurrency: int | None = None
    results: list[EvalResult] = field(default_factory=list)
    console: Console | None = None


_run_options: EvalRunOptions | None = None
_run_lock = threading.Lock()


def set_run_options(options: EvalRunOptions | None) -> None:
    global _run_options
    _run_options = options


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _wants_hooks(task: Callable[..., Any]) -> bool:
    try:
        params = [p for p in inspect.signature(task).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return False
    return len(params) >= 2


class _Runner:
    def __init__(self, name: str, task: Callable[..., Any], scores: list[Any], experiment: Experiment | None,
                 max_concurrency: int, progress: Progress | None) -> None:
        self.name = name
        self.task = task
        self.scores = scores
        self.experiment = experiment
        self.semaphore = asyncio.Semaphore(max_concurrency)
        self.executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="twinplane-eval")
        self.progress = progress
        self.progress_task = progress.add_task(name, total=None) if progress else None
        self.hooks = _wants_hooks(task)
        self.task_is_async = inspect.iscoroutinefunction(task)

    def _root(self, case: EvalCase) -> Span | NoopSpan:
        if self.experiment is None:
            return NOOP_SPAN
        event: dict[str, Any] = {"input": case.input, "expected": case.expected, "metadata": case.metadata}
        if case.tags:
            event["tags"] = case.tags
        if case.origin:
            event["origin"] = case.origin
        return self.experiment.start_span("eval", "eval", **event)

    async def _run_task(self, case: EvalCase, root: Span | NoopSpan, trial: int) -> Any:
        span = root.start_span("task", "task", input=case.input)
        args: tuple[Any, ...] = (case.input,)
        if self.hooks:
            args = (case.input, EvalHooks(span=span, metadata=case.metadata, expected=case.expected, trial_index=trial))
        try:
            if self.task_is_async:
                span.set_current()
                try:
                    output = await self.task(*args)
                finally:
                    span.unset_current()
            else:
                def call() -> Any:
                    span.set_current()
                    try:
                        return self.task(*args)
                    finally:
                        span.unset_current()

                output = await asyncio.get_running_loop().run_in_executor(self.executor, call)
                if inspect.isawaitable(output):
                    output = await output
        except Exception as exc:
            span.log(error=_error_text(exc))
            span.end()
            raise
        span.log(output=output)
        span.end()
        return output

    async def _score(self, scorer: Any, case: EvalCase, output: Any, root: Span | NoopSpan,
                     result: EvalCaseResult) -> None:
        name = scorer_name(scorer)
        kwargs = {"input": case.input, "output": output, "expected": case.expected, "metadata": case.metadata}
        span = root.start_span(name, "score", span_attributes={"purpose": "scorer"}, input=kwargs)
        try:
            scores = read_scores(name, await run_scorer(scorer, kwargs, self.executor))
        except Exception as exc:
            result.scorer_errors[name] = f"{type(exc).__name__}: {exc}"
            span.log(error=_error_text(exc))
            span.end()
            return
        values = {s.name: s.score for s in scores}
        result.scores.update(values)
        out: Any = {s.name: {"score": s.score, **({"metadata": s.metadata} if s.metadata else {})} for s in scores}
        if len(scores) == 1:
            out = out[scores[0].name]
        span.log(output=out, scores=values)
        span.end()

    async def run_case(self, case: EvalCase, trial: int) -> EvalCaseResult:
        async with self.semaphore:
            started = time.time()
            root = self._root(case)
            result = EvalCaseResult(input=case.input, expected=case.expected, output=None, scores={},
                                    metadata=case.metadata, root_span_id=root.root_span_id or None)
            try:
                result.output = await self._run_task(case, root, trial)
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                root.log(error=_error_text(exc))
            else:
                root.log(output=result.output)
                await asyncio.gather(*(self._score(s, case, result.output, root, result) for s in self.scores))
            if case.metadata:
                root.log(metadata=case.metadata)
            result.duration = root.end() - started
            if self.progress is not None and self.progress_task is not None:
                self.progress.advance(self.progress_task)
            return result


async def _run_async(name: str, data: Any, task: Callable[..., Any], scores: list[Any],
                     experiment: Experiment | None, max_concurrency: int, trial_count: int,
                     time_limit: float | None, progress: Progress | None) -> list[EvalCaseResult]:
    runner = _Runner(name, task, scores, experiment, max_concurrency, progress)
    try:
        jobs: list[asyncio.Task[EvalCaseResult]] = []
        count = 0
        async for case in iterate_cases(data):
            for trial in range(max(1, trial_count)):
                jobs.append(asyncio.create_task(runner.run_case(case, trial)))
                count += 1
        if progress is not None and runner.progress_task is not None:
            progress.update(runner.progress_task, total=count)
        done, pending = await asyncio.wait(jobs, timeout=time_limit) if jobs else (set(), set())
        for job in pending:
            job.cancel()
        if pending:
            logger.warning("twinplane: Eval %r timed out after %ss; %d cases did not finish", name, time_limit,
                           len(pending))
        return [j.result() for j in jobs if j in done and not j.cancelled() and j.exception() is None]
    finally:
        runner.executor.shutdown(wait=False, cancel_futures=True)


def _run_in_loop(coro_factory: Callable[[], Any]) -> Any:
    """asyncio.run, or a private loop on a helper thread when the caller already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro_factory())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, name="twinplane-eval-loop")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def Eval(name: str, data: Any, task: Callable[..., Any], scores: list[Any] | None = None, *,  # noqa: N802
         experiment_name: str | None = None, base_experiment: str | None = None,
         base_experiment_id: str | None = None, max_concurrency: int | None = None, trial_count: int = 1,
         metadata: dict[str, Any] | None = None, timeout: float | None = None, description: str | None = None,
         update: bool = False, no_send_logs: bool = False, progress: bool = True, summarize: bool = True,
         console: Console | None = None) -> EvalResult:
    """Evaluate ``task`` on ``data`` with ``scores`` in project ``name``; see the module docstring."""
    opts = _run_options
    if opts is not None:
        no_send_logs = no_send_logs or opts.no_send_logs
        progress = progress and opts.progress
        max_concurrency = opts.max_concurrency or max_concurrency
        console = console or opts.console
    console = console or Console()
    concurrency = max(1, max_concurrency or 16)
    scorers = list(scores or [])
    experiment: Experiment | None = None
    if not no_send_logs:
        from twinplane.sdk.dataset import Dataset

        experiment = init(name, experiment_name, description=description, update=update,
                          base_experiment=base_experiment, base_experiment_id=base_experiment_id, metadata=metadata,
                          dataset=data if isinstance(data, Dataset) else None, set_current=False)
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True) if progress else None
    if bar is not None:
        bar.start()
    try:
        results = _run_in_loop(lambda: _run_async(name, data, task, scorers, experiment, concurrency, trial_count,
                                                  timeout, bar))
    finally:
        if bar is not None:
            bar.stop()
    summary: ExperimentSummary | None = None
    exp_name = exp_id = None
    if experiment is not None:
        try:
            exp_name, exp_id = experiment.name, experiment.id
        except Exception as exc:  # noqa: BLE001 - the data plane may be down; results are still local
            logger.warning("twinplane: experiment could not be created (%s); summarising locally", exc)
        if summarize and exp_id is not None:
            summary = experiment.summarize(base_experiment_id)
    if summary is None:
        summary = local_summary(name, exp_name or experiment_name, (r.scores for r in results),
                                (r.duration for r in results))
    if summarize:
        print_summary(summary, console)
        errors = sum(1 for r in results if r.error or r.scorer_errors)
        if errors:
            console.print(f"[yellow]{errors} of {len(results)} cases had task or scorer errors[/yellow]")
    result = EvalResult(name=name, experiment_name=exp_name or experiment_name, experiment_id=exp_id,
                        results=results, summary=summary)
    if opts is not None:
        with _run_lock:
            opts.results.append(result)
    return result
