"""A realistic small workspace for screenshots and browser tests: a support-bot project with
three experiments (one regressing), production logs, a dataset and a prompt with two versions."""

from __future__ import annotations

from typing import Any

from e2e.seed import Case, Seeder, now_minus

QUESTIONS = [
    ("How do I reset my password?", "Go to Settings → Security and click Reset password."),
    ("Can I get a refund after 30 days?", "Refunds are available within 30 days of purchase."),
    ("What is the capital of France?", "Paris"),
    ("How long does shipping take?", "Standard shipping takes 3-5 business days."),
    ("Do you ship to Canada?", "Yes, we ship to Canada and the US."),
    ("How do I cancel my subscription?", "Open Billing and choose Cancel subscription."),
    ("Is there a student discount?", "Students get 20% off with a valid .edu email."),
    ("Can I change my username?", "Usernames can be changed once every 30 days."),
    ("Where is my order?", "Track it from the Orders page with your order number."),
    ("Do you offer phone support?", "Phone support is available on the Business plan."),
    ("How do I export my data?", "Use Settings → Data → Export to download a ZIP."),
    ("What payment methods do you accept?", "Visa, Mastercard, Amex and PayPal."),
]

VARIANTS = [
    ("baseline", "a1b2c3d", 0.0),
    ("shorter-prompt", "b2c3d4e", -0.25),
    ("with-retrieval", "c3d4e5f", 0.2),
]


def _mutate(answer: str, quality: float, i: int) -> str:
    if quality < 0 and i % 3 == 0:
        return answer.split(" ")[0] + " — please check our help center."
    if quality > 0 and i % 4 == 0:
        return answer + " Let me know if you need anything else!"
    return answer


def load_demo(seeder: Seeder, project_name: str = "support-bot") -> dict[str, Any]:
    project = seeder.project(project_name)
    pid = project["id"]
    exps = []
    base = None
    for k, (name, commit, quality) in enumerate(VARIANTS):
        exp = seeder.experiment(pid, name, commit=commit, base_exp_id=base)
        cases = []
        for i, (q, a) in enumerate(QUESTIONS):
            out = _mutate(a, quality, i)
            exact = 1.0 if out == a else 0.0
            lev = round(max(0.0, min(1.0, 0.72 + quality * 0.6 + ((i * 7 + k) % 5) * 0.05 - (0.3 if exact == 0 else 0))), 3)
            cases.append(Case(input=q, output=out, expected=a, scores={"ExactMatch": exact, "Levenshtein": lev},
                              metadata={"category": "billing" if i % 2 else "account", "model": "gpt-4o-mini"}, tokens=200 + i * 13))
        seeder.logs3(seeder.eval_rows(exp["id"], cases, now_minus(days=len(VARIANTS) - k, hours=1)))
        exps.append(exp)
        base = exp["id"]
    traces = []
    for i in range(40):
        q, a = QUESTIONS[i % len(QUESTIONS)]
        traces.append(seeder.log_trace(pid, now_minus(minutes=5 + i * 17), q, a, tools=1 + i % 3,
                                       metadata={"user_id": f"u{i % 7}", "plan": "pro" if i % 2 else "free"},
                                       error="TimeoutError: provider did not answer in 30s" if i % 13 == 5 else None))
    ds = seeder.dataset(pid, "faq-golden")
    rows = [{"id": f"faq-{i}", "dataset_id": ds["id"], "input": q, "expected": a, "tags": ["faq"],
             "metadata": {"source": "support-tickets"}} for i, (q, a) in enumerate(QUESTIONS[:8])]
    seeder.logs3(rows)
    seeder.logs3([{"id": "faq-1", "dataset_id": ds["id"], "expected": "Refunds: within 30 days.", "_is_merge": True}])
    prompt = seeder.prompt(pid, "Support answer", "support-answer",
                           [{"role": "system", "content": "You are a support agent for {{company}}."},
                            {"role": "user", "content": "{{question}}"}])
    prompt2 = seeder.prompt(pid, "Support answer", "support-answer",
                            [{"role": "system", "content": "You are a concise, friendly support agent for {{company}}. Answer in {{language}}."},
                             {"role": "user", "content": "{{question}}"}], temperature=0)
    return {"project": project, "experiments": exps, "traces": traces, "dataset": ds, "prompt": prompt2 or prompt}
