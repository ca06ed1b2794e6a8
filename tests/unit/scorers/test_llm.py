"""LLM judges and embedding similarity against the fake OpenAI-compatible provider."""

from __future__ import annotations

import asyncio

import pytest

from support.fake_llm import FakeLLM
from twinplane.scorers import (
    Battle,
    ClosedQA,
    EmbeddingSimilarity,
    Factuality,
    LLMClassifier,
    LLMError,
    Summary,
)


@pytest.fixture
def llm():
    fake = FakeLLM()
    yield fake
    fake.stop()


def test_factuality_sends_a_tool_call_request_and_maps_the_choice(llm) -> None:
    llm.judge_choice = "C"
    s = Factuality(base_url=llm.url + "/v1", api_key="sk-x")(input="Capital of France?", output="Paris",
                                                              expected="Paris")
    assert s.name == "Factuality" and s.score == 1.0 and s.metadata["choice"] == "C"
    assert s.metadata["rationale"]
    path, body = llm.requests[-1]
    assert path == "/v1/chat/completions"
    assert body["tool_choice"]["function"]["name"] == "select_choice"
    assert "[Question]: Capital of France?" in body["messages"][0]["content"]
    llm.judge_choice = "D"
    assert asyncio.run(Factuality(base_url=llm.url + "/v1").eval_async("Lyon", expected="Paris", input="q")).score == 0


def test_other_judges_and_custom_classifier(llm, monkeypatch) -> None:
    monkeypatch.setenv("TWINPLANE_LLM_BASE_URL", llm.url + "/v1")
    llm.judge_choice = None  # first enum value
    assert ClosedQA(criteria="is polite")(output="hi", input="greet").score == 1
    assert "[Criterion]: is polite" in llm.requests[-1][1]["messages"][0]["content"]
    assert Battle(instructions="write a poem")(output="a", expected="b").score == 1
    assert Summary()(output="short", expected="long", input="text").score == 0
    judge = LLMClassifier("Tone", "Is {{output}} friendly? {{#metadata}}ctx={{metadata.lang}}{{/metadata}}",
                          {"friendly": 1, "rude": 0}, use_cot=False)
    s = judge(output="thanks!", metadata={"lang": "en"})
    assert s.name == "Tone" and s.score == 1
    content = llm.requests[-1][1]["messages"][0]["content"]
    assert "Is thanks! friendly?" in content and "reasons" not in str(llm.requests[-1][1]["tools"])


def test_judge_errors_and_retries(llm) -> None:
    llm.fail_next = [503]
    assert Factuality(base_url=llm.url + "/v1")(output="a", expected="a", input="q").score is not None
    llm.fail_next = [400]
    with pytest.raises(LLMError):
        Factuality(base_url=llm.url + "/v1")(output="a", expected="a", input="q")


def test_embedding_similarity(llm) -> None:
    scorer = EmbeddingSimilarity(base_url=llm.url + "/v1", api_key="k")
    assert scorer(output="the cat sat", expected="the cat sat").score == pytest.approx(1.0)
    different = scorer(output="completely unrelated words here", expected="the cat sat")
    assert different.score < 1 and "cosine" in different.metadata
    assert asyncio.run(scorer.eval_async("a b", expected="a b")).score == pytest.approx(1.0)
    assert llm.requests[-1][0] == "/v1/embeddings"
