"""The deterministic span corpus of the query benchmark (``bench_query``).

~N spans in traces of 3–8 spans (plus a few 100-span agent traces), spread over 30 days:

* project logs of four projects (the first, ``main``, holds ~60 % of them): a root
  ``task`` span with chat-message input, output and metadata (model, user, region ...),
  ``llm`` and ``tool`` children, and on ~15 % of traces an online ``score`` span;
* 100 experiments: 98 small ones and two of ``big_cases`` cases (10,000 at 1 M spans), a
  baseline and a candidate whose cases share their inputs exactly, so a summary with
  comparison matches every case. Each case is an ``eval`` root, a ``task``, ``llm``/``tool``
  spans and one or two ``score`` spans (Factuality, Relevance);
* text drawn from a Zipf distribution (exponent 1.1) over 50,000 synthetic words, so
  full-text terms range from very common to rare like in real logs. Texts are slices of
  one long pre-drawn word stream (cheap to produce in pure Python: numpy is not a
  dependency). Document frequencies are counted for the ``main`` logs, the object the
  full-text queries search, so the rare / 1 % / common terms are picked by measurement.

Everything comes from seeded ``random.Random`` instances: the same ``spans`` gives the
same rows, ids and terms.
"""

from __future__ import annotations

import itertools
import random
import re
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

SEED = 20261127
VOCAB_SIZE = 50_000
ZIPF_S = 1.1
ORG = "org-bench"
WINDOW_END = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
WINDOW = 30 * 86400.0
EXPERIMENTS = 100
TRACE_100 = 100  # spans of the long agent traces
LONG_TRACES = 5

MODELS = (("gpt-4o", 35), ("gpt-4o-mini", 30), ("claude-3-5-sonnet", 15), ("llama-3-70b", 10),
          ("mistral-large", 7), ("o1-preview", 3))
FILTER_MODEL = "claude-3-5-sonnet"  # ~15 % of roots and llm spans
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1")
TIERS = ("free", "pro", "enterprise")
TOOLS = ("search_kb", "lookup_order", "get_weather", "sql_query", "send_email")
SCORERS = ("Factuality", "Relevance")
PROJECTS = (("main", 0.60), ("billing", 0.20), ("search", 0.12), ("internal", 0.08))
SYSTEM = {
    "main": "You are a helpful support assistant for Acme. Answer briefly and cite the knowledge base.",
    "billing": "You answer billing questions. Never reveal card numbers. Escalate disputes to a human.",
    "search": "Rewrite the user query for the search index, then summarize the top results.",
    "internal": "You help employees with internal tools. Be precise and link to the runbook.",
}
_CONS, _VOWELS = "bcdfghjklmnprstvz", "aeiou"


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def vocabulary(rng: random.Random) -> list[str]:
    """50,000 distinct pronounceable words, frequent ranks first and shortest (as in real text)."""
    reserved = set().union(*(_tokens(s) for s in SYSTEM.values()), *(_tokens(m) for m, _ in MODELS),
                           _tokens(" ".join(REGIONS + TIERS + TOOLS + SCORERS)),
                           {"user", "assistant", "system", "tool", "score", "eval", "task", "llm"})
    syl = [c + v for c in _CONS for v in _VOWELS]
    two = [a + b for a in syl for b in syl]
    rng.shuffle(two)
    words = [w for w in two if w not in reserved]
    seen = set(words)
    while len(words) < VOCAB_SIZE:
        w = rng.choice(syl) + rng.choice(syl) + rng.choice(syl)
        if w not in seen and w not in reserved:
            seen.add(w)
            words.append(w)
    return words[:VOCAB_SIZE]


def _hex(rng: random.Random, bits: int = 128) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass(slots=True)
class Experiment:
    id: str
    project_id: str
    name: str
    cases: int
    at: float  # fraction of the window where it runs
    quality: float
    shared_inputs: bool = False  # the big pair: case i has the same input in both


@dataclass(slots=True)
class Stats:
    spans: int = 0
    json_bytes_sampled: int = 0
    sampled: int = 0
    main_log_spans: int = 0
    df: Counter[int] = field(default_factory=Counter)  # word rank -> spans of the main logs containing it
    long_traces: list[str] = field(default_factory=list)  # root_span_ids of the 100-span traces


class Corpus:
    """Builds the rows; ``rows()`` yields ``(object_type, object_id, project_id, row)`` in time order."""

    def __init__(self, spans: int) -> None:
        self.target = spans
        rng = random.Random(SEED)
        self.words = vocabulary(rng)
        cum = list(itertools.accumulate((k + 1) ** -ZIPF_S for k in range(VOCAB_SIZE)))
        stream_len = min(8_000_000, max(1_000_000, spans * 6))
        self.stream = array("I")
        for _ in range(0, stream_len, 500_000):
            self.stream.extend(rng.choices(range(VOCAB_SIZE), cum_weights=cum, k=500_000))
        self._model_w = list(itertools.accumulate(w for _, w in MODELS))
        self.projects = {name: f"proj-{name}-{_hex(rng, 48)}" for name, _ in PROJECTS}
        self._project_cum = list(itertools.accumulate(w for _, w in PROJECTS))
        self.big_cases = max(100, round(10_000 * spans / 1_000_000))
        small_cases = max(10, round(0.25 * spans / (EXPERIMENTS - 2) / 6.0))
        names = [n for n, _ in PROJECTS]
        self.experiments: list[Experiment] = []
        for k in range(EXPERIMENTS - 2):
            self.experiments.append(Experiment(f"exp-{k:03d}-{_hex(rng, 48)}", self.projects[names[k % 4]],
                                               f"nightly-{k:03d}", small_cases, (k + 0.5) / (EXPERIMENTS - 2) * 0.92,
                                               rng.uniform(0.45, 0.85)))
        self.baseline = Experiment(f"exp-baseline-{_hex(rng, 48)}", self.projects["main"], "baseline-10k",
                                   self.big_cases, 0.70, 0.62, shared_inputs=True)
        self.candidate = Experiment(f"exp-candidate-{_hex(rng, 48)}", self.projects["main"], "candidate-10k",
                                    self.big_cases, 0.90, 0.68, shared_inputs=True)
        self.experiments += [self.baseline, self.candidate]
        self.experiments.sort(key=lambda e: e.at)
        self.marker = "zzmarker" + _hex(rng, 40)
        self.stats = Stats()
        self._rng = rng

    # text -------------------------------------------------------------------
    def text(self, rng: random.Random, lo: int, hi: int, used: list[tuple[int, int]]) -> str:
        """A slice of the Zipf word stream; its position goes to ``used`` (document frequencies)."""
        n = rng.randint(lo, hi)
        off = rng.randrange(len(self.stream) - n)
        used.append((off, n))
        return " ".join(map(self.words.__getitem__, self.stream[off:off + n]))

    def model(self, rng: random.Random) -> str:
        return MODELS[rng.choices(range(len(MODELS)), cum_weights=self._model_w)[0]][0]

    # spans ------------------------------------------------------------------
    @staticmethod
    def _span(rng: random.Random, ident: dict[str, Any], root: str | None, parent: str | None, t: float, dur: float,
              name: str, typ: str, **body: Any) -> dict[str, Any]:
        sid = _hex(rng, 64)
        row: dict[str, Any] = {"id": _hex(rng), **ident, "created": _iso(t), "span_id": sid,
                               "root_span_id": root or sid, "span_parents": [parent] if parent else None,
                               "span_attributes": {"name": name, "type": typ}, **body}
        row["metrics"] = {"start": round(t, 6), "end": round(t + dur, 6), **body.get("metrics", {})}
        return row

    @staticmethod
    def _llm_metrics(rng: random.Random) -> dict[str, Any]:
        p, c = rng.randint(150, 2400), rng.randint(20, 600)
        return {"prompt_tokens": p, "completion_tokens": c, "tokens": p + c,
                "cost": round((p * 2.5 + c * 10) / 1e6, 6)}

    def _trace(self, rng: random.Random, ident: dict[str, Any], t: float, project: str, *, exp: Experiment | None,
               case: int, length: int | None = None) -> list[tuple[dict[str, Any], list[tuple[int, int]]]]:
        """One trace: ``(row, the stream slices of its text)`` per span, root first."""
        q_used: list[tuple[int, int]] = []
        if exp is not None and exp.shared_inputs:  # the big pair: case i's input is the same in both
            crng = random.Random(SEED * 7919 + case)
            question, model, expected = self.text(crng, 25, 60, []), self.model(crng), self.text(crng, 10, 30, [])
        else:
            question, model = self.text(rng, 25, 60, q_used), self.model(rng)
            expected = self.text(rng, 10, 30, []) if exp is not None else None
        r_used = list(q_used)
        answer = self.text(rng, 40, 100, r_used)
        n = length or rng.randint(3, 8)
        meta: dict[str, Any] = {"model": model, "region": rng.choice(REGIONS), "env": "production"}
        if exp is None:
            meta.update({"user": f"user{int(rng.paretovariate(1.2)) % 5000}", "tier": rng.choice(TIERS),
                         "session_id": _hex(rng, 32), "app_version": f"2.{rng.randint(0, 9)}.{rng.randint(0, 20)}"})
        else:
            meta.update({"case": case, "dataset": "support-golden", "temperature": 0.0})
        dur = rng.uniform(0.8, 12.0)
        body: dict[str, Any] = {
            "input": {"messages": [{"role": "system", "content": SYSTEM[project]},
                                   {"role": "user", "content": question}]},
            "output": {"role": "assistant", "content": answer}, "metadata": meta}
        if exp is not None:
            body["expected"] = expected
        elif rng.random() < 0.3:
            body["tags"] = ["prod", meta["tier"]]
        root = self._span(rng, ident, None, None, t, dur, "eval" if exp else "handle_request",
                          "eval" if exp else "task", **body)
        rs = root["span_id"]
        out = [(root, r_used)]
        parent = rs
        if exp is not None:
            task = self._span(rng, ident, rs, rs, t + 0.01, dur * 0.9, "task", "task", input=question, output=answer)
            out.append((task, r_used))
            parent = task["span_id"]
        nscore = (2 if rng.random() < 0.5 else 1) if exp else (1 if rng.random() < 0.15 else 0)
        work = max(1, n - len(out) - nscore)
        at, step = t + 0.02, dur * 0.8 / work
        for i in range(work):
            used: list[tuple[int, int]] = []
            if (i % 2 == 1) if length else (i % 3 == 2):
                q = self.text(rng, 4, 10, used)
                row = self._span(rng, ident, rs, parent, at, step, TOOLS[i % len(TOOLS)], "tool",
                                 input={"query": q}, output={"results": [self.text(rng, 20, 50, used)]})
            else:
                used += q_used  # the question is in the llm input too
                row = self._span(
                    rng, ident, rs, parent, at, step, "chat.completions", "llm",
                    input=[{"role": "system", "content": SYSTEM[project]}, {"role": "user", "content": question},
                           {"role": "tool", "content": self.text(rng, 20, 60, used)}],
                    output={"role": "assistant", "content": self.text(rng, 40, 110, used)},
                    metadata={"model": model, "provider": model.split("-")[0], "temperature": 0.2},
                    metrics=self._llm_metrics(rng))
            out.append((row, used))
            at += step
        for k in range(nscore):
            name = SCORERS[k]
            value = min(1.0, max(0.0, rng.gauss((exp.quality if exp else 0.7) + 0.05 * k, 0.2)))
            used = []
            rationale = self.text(rng, 10, 25, used)
            out.append((self._span(rng, ident, rs, rs, t + dur, 0.3, name, "score", input={"output": answer[:120]},
                                   output={"score": value, "rationale": rationale}, scores={name: value}), used))
        return out

    # the whole corpus -------------------------------------------------------
    def rows(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Logs in time order; each experiment when the clock (spans so far / target) reaches it."""
        rng = self._rng
        pending = list(self.experiments)
        longs = [0.5 + 0.08 * i for i in range(LONG_TRACES)]
        names = [n for n, _ in PROJECTS]
        while self.stats.spans < self.target:
            frac = self.stats.spans / self.target
            t = WINDOW_END - WINDOW + frac * WINDOW
            while pending and pending[0].at <= frac:
                yield from self._experiment(pending.pop(0), t)
            if longs and longs[0] <= frac:
                longs.pop(0)
                yield from self._logs_trace(rng, "main", t, length=TRACE_100)
            project = names[rng.choices(range(len(names)), cum_weights=self._project_cum)[0]]
            yield from self._logs_trace(rng, project, t)
        for e in pending:
            yield from self._experiment(e, WINDOW_END)
        # last: a small trace whose output holds a unique word, to see the index catch up
        last = self._logs_trace(rng, "main", WINDOW_END + 60, length=3)
        last[-1][3]["output"] = {"role": "assistant", "content": "done " + self.marker}
        yield from last

    def _logs_trace(self, rng: random.Random, project: str, t: float,
                    length: int | None = None) -> list[tuple[str, str, str, dict[str, Any]]]:
        pid = self.projects[project]
        spans = self._trace(random.Random(rng.getrandbits(64)), {"project_id": pid, "log_id": "g"},
                            t, project, exp=None, case=0, length=length)
        if length == TRACE_100:
            self.stats.long_traces.append(spans[0][0]["root_span_id"])
        return [self._count(("project_logs", pid, pid, row), used if project == "main" else None)
                for row, used in spans]

    def _experiment(self, e: Experiment, t: float) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        project = next(n for n, p in self.projects.items() if p == e.project_id)
        erng = random.Random(f"{SEED}:{e.id}")
        for case in range(e.cases):
            for row, _ in self._trace(erng, {"experiment_id": e.id}, t + case * 0.5, project, exp=e, case=case):
                yield self._count(("experiment", e.id, e.project_id, row), None)

    def _count(self, out: tuple[str, str, str, dict[str, Any]],
               used: list[tuple[int, int]] | None) -> tuple[str, str, str, dict[str, Any]]:
        st = self.stats
        st.spans += 1
        if used is not None:
            st.main_log_spans += 1
            ids: set[int] = set()
            for off, n in used:
                ids.update(self.stream[off:off + n])
            st.df.update(ids)
        if st.spans % 97 == 0:
            st.json_bytes_sampled += len(orjson.dumps(out[3]))
            st.sampled += 1
        return out

    def batches(self, size: int) -> Iterator[bytes]:
        """The rows as JSON arrays of ``[object_type, object_id, project_id, row]``, ``size`` per batch."""
        it = self.rows()
        while chunk := list(itertools.islice(it, size)):
            yield orjson.dumps(chunk)

    def pick_terms(self) -> dict[str, dict[str, Any]]:
        """Rare (~20 spans), 1 % and the most common word of the main logs, by measured document frequency."""
        n = max(1, self.stats.main_log_spans)
        df = self.stats.df

        def nearest(target: float) -> int:
            return min(df, key=lambda w: (abs(df[w] - target), w))

        picks = {"rare": nearest(20), "one_percent": nearest(0.01 * n), "common": max(df, key=lambda w: (df[w], -w))}
        return {k: {"term": self.words[w], "rank": w + 1, "spans": df[w], "share": round(df[w] / n, 5)}
                for k, w in picks.items()}


def produce(spans: int, batch: int, out: Any) -> None:
    """Child-process entry: put every batch on the ``out`` queue, then ``None``, then the ``Stats``.

    Generating in another process keeps the load figure about the store, not about
    building Python dicts on the event loop's thread.
    """
    corpus = Corpus(spans)
    for chunk in corpus.batches(batch):
        out.put(chunk)
    out.put(None)
    out.put(corpus.stats)
