"""Ready-made LLM judges: factuality, closed QA, battle, summary."""

from __future__ import annotations

from typing import Any

from twinplane.scorers.llm_classifier import LLMClassifier

FACTUALITY_TEMPLATE = """You are comparing a submitted answer to an expert answer on a given question. Here is the data:
[BEGIN DATA]
************
[Question]: {{input}}
************
[Expert]: {{expected}}
************
[Submission]: {{output}}
************
[END DATA]

Compare the factual content of the submitted answer with the expert answer. Ignore any differences in style, grammar, or punctuation.
The submitted answer may either be a subset or superset of the expert answer, or it may conflict with it. Determine which case applies. Answer the question by selecting one of the following options:
(A) The submitted answer is a subset of the expert answer and is fully consistent with it.
(B) The submitted answer is a superset of the expert answer and is fully consistent with it.
(C) The submitted answer contains all the same details as the expert answer.
(D) There is a disagreement between the submitted answer and the expert answer.
(E) The answers differ, but these differences don't matter from the perspective of factuality."""

CLOSED_QA_TEMPLATE = """You are assessing a submitted answer on a given task based on a criterion. Here is the data:
[BEGIN DATA]
***
[Task]: {{input}}
***
[Submission]: {{output}}
***
[Criterion]: {{criteria}}
***
[END DATA]
Does the submission meet the criterion? Answer Y for yes or N for no."""

BATTLE_TEMPLATE = """You are comparing responses to the following instructions.

[Instruction]
{{instructions}}

[Response 1]
{{output}}

[Response 2]
{{expected}}

Is the first response better than the second? Answer Y if it is better, N if it is not."""

SUMMARY_TEMPLATE = """You are comparing two summaries of a text. Here is the data:
[BEGIN DATA]
************
[Text]: {{input}}
************
[Summary A]: {{expected}}
************
[Summary B]: {{output}}
************
[END DATA]

Which summary is more accurate, complete and concise? Answer A if Summary A is better, B if Summary B is better."""


class Factuality(LLMClassifier):
    """Is the output factually consistent with the expected answer?"""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("Factuality", FACTUALITY_TEMPLATE, {"A": 0.4, "B": 0.6, "C": 1.0, "D": 0.0, "E": 1.0},
                         **kwargs)


class ClosedQA(LLMClassifier):
    """Does the output meet ``criteria`` (given at construction or as a call keyword)?"""

    def __init__(self, criteria: str | None = None, **kwargs: Any) -> None:
        if criteria is not None:
            kwargs["criteria"] = criteria
        super().__init__("ClosedQA", CLOSED_QA_TEMPLATE, {"Y": 1.0, "N": 0.0}, **kwargs)


class Battle(LLMClassifier):
    """Is the output better than the expected response, for ``instructions``?"""

    def __init__(self, instructions: str | None = None, **kwargs: Any) -> None:
        if instructions is not None:
            kwargs["instructions"] = instructions
        super().__init__("Battle", BATTLE_TEMPLATE, {"Y": 1.0, "N": 0.0}, **kwargs)


class Summary(LLMClassifier):
    """Is the output summary of the input better than the expected one?"""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("Summary", SUMMARY_TEMPLATE, {"A": 0.0, "B": 1.0}, **kwargs)
