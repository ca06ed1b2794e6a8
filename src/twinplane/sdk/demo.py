"""The demo project of ``twinplane up --demo``, loaded through the public SDK only.

``load_demo(api_key, app_url)`` creates in project ``demo-support-bot``: a dataset of support
questions, a prompt with two versions, three experiments on the dataset (the third one a
regression against the first), and production logs: multi-span traces with LLM spans
carrying token metrics, some with user feedback, one with an error. No LLM is called: the
"model" is a deterministic function, so the demo is the same on every machine.
"""

from __future__ import annotations

import random
from typing import Any

import twinplane
from twinplane.scorers import ExactMatch, Levenshtein
from twinplane.sdk.errors import TwinplaneError

PROJECT = "demo-support-bot"

CASES = [
    ("How do I reset my password?", "Open Settings, choose Security, then click Reset password.", "account"),
    ("Can I get a refund after 30 days?", "Refunds are available within 30 days of purchase only.", "billing"),
    ("Where is my order?", "Track your order from the Orders page using the tracking link.", "shipping"),
    ("How do I upgrade my plan?", "Go to Billing, choose Plans, and pick the plan you want.", "billing"),
    ("Do you ship internationally?", "Yes, we ship to over 40 countries; see the shipping page.", "shipping"),
    ("How do I delete my account?", "Open Settings, choose Account, then click Delete account.", "account"),
    ("Can I change my delivery address?", "You can change the address until the order has shipped.", "shipping"),
    ("Why was I charged twice?", "A duplicate charge is a pending authorization; it drops off in 3 days.", "billing"),
]

PROMPT_V1 = [{"role": "system", "content": "You are a support agent for {{company}}. Answer briefly."},
             {"role": "user", "content": "{{question}}"}]
PROMPT_V2 = [{"role": "system", "content": "You are a friendly support agent for {{company}}. Answer in one or two "
                                           "sentences and point to the right page of the app."},
             {"role": "user", "content": "{{question}}"}]


def _tokens(text: str) -> int:
    return max(1, len(text.split()) * 4 // 3)


def _fake_model(question: str, answer: str, model: str, quality: float, rng: random.Random) -> str:
    """A deterministic stand-in for an LLM call, logged as an ``llm`` span with token metrics."""
    words = answer.split()
    if quality < 1.0:
        keep = max(2, int(len(words) * quality))
        words = words[:keep]
    output = " ".join(words)
    prompt_tokens = _tokens(question) + 42
    completion_tokens = _tokens(output)
    with twinplane.start_span("chat.completions", type="llm",
                              input=[{"role": "user", "content": question}],
                              metadata={"model": model, "provider": "demo", "temperature": 0}) as llm:
        llm.log(output=[{"role": "assistant", "content": output}],
                metrics={"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                         "tokens": prompt_tokens + completion_tokens,
                         "time_to_first_token": round(0.15 + rng.random() * 0.2, 3)})
    return output


def _experiment(dataset: Any, name: str, model: str, quality: float, base: str | None) -> twinplane.EvalResult:
    rng = random.Random(name)
    answers = {q: a for q, a, _ in CASES}

    def task(question: str) -> str:
        with twinplane.start_span("retrieve_docs", type="tool", input={"query": question}) as tool:
            tool.log(output={"documents": 3})
        return _fake_model(question, answers.get(question, ""), model, quality, rng)

    return twinplane.Eval(PROJECT, data=dataset, task=task, scores=[Levenshtein(), ExactMatch()],
                          experiment_name=name, base_experiment=base, metadata={"model": model},
                          progress=False, summarize=False)


def _production_logs(count: int = 12) -> int:
    logger = twinplane.init_logger(PROJECT)
    rng = random.Random(7)
    for i in range(count):
        question, answer, category = CASES[i % len(CASES)]
        with logger.start_span("handle_request", input={"question": question, "user_id": f"user-{i % 5}"},
                               metadata={"category": category, "channel": rng.choice(["web", "email"])},
                               tags=[category]) as root:
            with root.start_span("retrieve_docs", type="tool", input={"query": question}) as tool:
                tool.log(output={"documents": [f"kb/{category}/{n}" for n in range(2)]})
            if i == 5:
                with root.start_span("chat.completions", type="llm", metadata={"model": "gpt-4o-mini"}) as llm:
                    llm.log(error="RateLimitError: 429 Too Many Requests", input=[{"role": "user", "content": question}],
                            metrics={"prompt_tokens": _tokens(question) + 42, "completion_tokens": 0})
                root.log(error="upstream model unavailable", output=None)
                continue
            output = _fake_model(question, answer, "gpt-4o-mini", 1.0 if i % 4 else 0.6, rng)
            root.log(output={"answer": output})
        if i % 3 == 0:
            logger.log_feedback(root.id, scores={"user_rating": 1.0 if i % 4 else 0.0},
                                comment="Helpful answer" if i % 4 else "Too short", source="external")
    return count


def load_demo(api_key: str, app_url: str, org_name: str | None = None) -> dict[str, Any]:
    """Load the demo project; returns what was created. Raises TwinplaneError when rows could not be sent."""
    twinplane.login(api_key=api_key, app_url=app_url, org_name=org_name, force_login=True)
    dataset = twinplane.init_dataset(PROJECT, "support-questions", description="Customer support questions")
    for question, answer, category in CASES:
        dataset.insert(input=question, expected=answer, metadata={"category": category}, tags=[category])
    twinplane.create_prompt(PROJECT, "support-answer", name="Support answer", messages=PROMPT_V1,
                            model="gpt-4o-mini", params={"temperature": 0}, description="Answers a support question")
    twinplane.create_prompt(PROJECT, "support-answer", name="Support answer", messages=PROMPT_V2,
                            model="gpt-4o-mini", params={"temperature": 0.2},
                            description="Answers a support question (friendlier)")
    dataset.flush(30)
    results = [
        _experiment(dataset, "baseline-gpt-4o-mini", "gpt-4o-mini", 1.0, None),
        _experiment(dataset, "prompt-v2", "gpt-4o-mini", 1.0, "baseline-gpt-4o-mini"),
        _experiment(dataset, "short-answers-regression", "gpt-4o-mini-fast", 0.5, "baseline-gpt-4o-mini"),
    ]
    traces = _production_logs()
    flushed = twinplane.flush(60)
    if not flushed.ok:
        raise TwinplaneError(f"demo data could not be sent completely ({flushed.dropped} rows dropped, "
                             f"{flushed.pending} pending)")
    return {"project": PROJECT, "dataset": "support-questions", "prompt": "support-answer",
            "experiments": [r.experiment_name for r in results], "log_traces": traces}
