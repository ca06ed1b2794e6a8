"""LLM-as-judge: a prompt template, a set of choices, and a score per choice.

The judge model is asked (through tool calling) to pick one choice, optionally after
writing its reasoning (``use_cot``); the score is ``choice_scores[choice]``. Any
OpenAI-compatible chat endpoint works; see :mod:`twinplane.scorers.llm_client`.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from twinplane.scorers.llm_client import LLMClient, LLMEndpoint, LLMError
from twinplane.scorers.score import Score
from twinplane.scorers.scorer import Scorer
from twinplane.scorers.string import as_text
from twinplane.sdk.mustache import render

_COT_SUFFIX = (
    "\n\nAnswer by calling the select_choice function. First write out, step by step, the reasoning that "
    "leads to your answer in `reasons`, so that it is clear your conclusion is right; then give the single "
    "choice that best answers, in `choice`. Valid choices: {choices}."
)
_PLAIN_SUFFIX = "\n\nAnswer by calling the select_choice function with the single best choice. Valid choices: {choices}."


class LLMClassifier(Scorer):
    """A judge built from any mustache template (variables: input, output, expected, metadata, and
    any extra keyword given at construction or call time)."""

    def __init__(self, name: str, prompt_template: str, choice_scores: dict[str, float], *,
                 model: str = "gpt-4o-mini", use_cot: bool = True, temperature: float = 0.0,
                 max_tokens: int | None = 512, base_url: str | None = None, api_key: str | None = None,
                 client: LLMClient | None = None, **render_args: Any) -> None:
        if not choice_scores:
            raise ValueError("an LLM classifier needs at least one choice")
        for choice, value in choice_scores.items():
            if not 0 <= value <= 1:
                raise ValueError(f"choice {choice!r} scores {value}, outside [0, 1]")
        self.name = name
        self.prompt_template = prompt_template
        self.choice_scores = dict(choice_scores)
        self.model = model
        self.use_cot = use_cot
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.render_args = render_args
        self.client = client or LLMClient(LLMEndpoint.resolve(base_url, api_key))

    def _request(self, output: Any, expected: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        variables = {**self.render_args, **kwargs, "output": output, "expected": expected}
        variables = {k: (as_text(v) if v is not None and not isinstance(v, str) else v) for k, v in variables.items()}
        choices = ", ".join(self.choice_scores)
        content = render(self.prompt_template, variables) + (_COT_SUFFIX if self.use_cot else _PLAIN_SUFFIX).format(
            choices=choices)
        props: dict[str, Any] = {}
        if self.use_cot:
            props["reasons"] = {"type": "string", "description": "Step-by-step reasoning for the choice."}
        props["choice"] = {"type": "string", "enum": list(self.choice_scores), "description": "The choice."}
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            "tools": [{"type": "function", "function": {
                "name": "select_choice", "description": "Call this function to select a choice.",
                "parameters": {"type": "object", "properties": props, "required": list(props)}}}],
            "tool_choice": {"type": "function", "function": {"name": "select_choice"}},
            "temperature": self.temperature,
        }
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        return body

    def _parse(self, resp: dict[str, Any]) -> Score:
        try:
            message = resp["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise LLMError("the judge answered no message") from None
        args: dict[str, Any] = {}
        for call in message.get("tool_calls") or []:
            fn = call.get("function") or {}
            if fn.get("name") == "select_choice":
                try:
                    args = orjson.loads(fn.get("arguments") or "{}")
                except orjson.JSONDecodeError:
                    raise LLMError("the judge's function arguments are not JSON") from None
                break
        choice = args.get("choice") if isinstance(args, dict) else None
        if choice is None and isinstance(message.get("content"), str):  # judges without tool calling
            found = re.findall(r"\b(" + "|".join(map(re.escape, self.choice_scores)) + r")\b", message["content"])
            choice = found[-1] if found else None
        if choice not in self.choice_scores:
            raise LLMError(f"the judge chose {choice!r}, not one of {list(self.choice_scores)}")
        meta: dict[str, Any] = {"choice": choice}
        if args.get("reasons"):
            meta["rationale"] = args["reasons"]
        return Score(self._name(), float(self.choice_scores[choice]), metadata=meta)

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._parse(self.client.chat(**self._request(output, expected, kwargs)))

    async def _score_async(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._parse(await self.client.achat(**self._request(output, expected, kwargs)))
