"""wrap_openai / wrap_anthropic with the real client libraries against a local fake provider."""

from __future__ import annotations

import asyncio

import anthropic
import openai
import pytest

import twinplane
from support.fake_llm import FakeLLM


@pytest.fixture
def llm():
    fake = FakeLLM(reply="Paris is the capital")
    yield fake
    fake.stop()


def _llm_rows(server, logger):
    assert twinplane.flush(5).ok
    return [r for r in server.rows("project_logs", logger.id) if r["span_attributes"]["type"] == "llm"]


def test_openai_chat_plain_stream_tools_completion_embedding(server, sdk, llm) -> None:
    logger = twinplane.init_logger("wrap")
    client = twinplane.wrap_openai(openai.OpenAI(api_key="sk-x", base_url=llm.url + "/v1", max_retries=0))
    assert isinstance(client, openai.OpenAI)
    with logger.start_span("handler") as parent:
        r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Capital?"}],
                                           temperature=0)
        assert r.choices[0].message.content == "Paris is the capital"
        chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "s"}],
                                                     stream=True, stream_options={"include_usage": True}))
        assert len(chunks) > 3
        tool = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "weather"}],
                                              tools=[{"type": "function", "function": {"name": "get_weather",
                                                      "parameters": {"type": "object", "properties": {}}}}])
        assert tool.choices[0].message.tool_calls[0].function.name == "get_weather"
        with client.chat.completions.create(model="m", messages=[], stream=True,
                                            tools=[{"type": "function", "function": {"name": "lookup"}}]) as s:
            for _ in s:
                pass
        client.completions.create(model="davinci", prompt="Say hi")
        client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    rows = _llm_rows(server, logger)
    assert len(rows) == 6 and all(r["span_parents"] == [parent.span_id] for r in rows)
    plain, stream, tools, tool_stream, completion, embedding = sorted(rows, key=lambda r: r["metrics"]["start"])
    assert plain["span_attributes"]["name"] == "Chat Completion"
    assert plain["input"] == [{"role": "user", "content": "Capital?"}]
    assert plain["metadata"]["model"] == "gpt-4o-mini" and plain["metadata"]["temperature"] == 0
    assert plain["metadata"]["provider"] == "openai"
    assert plain["output"][0]["message"]["content"] == "Paris is the capital"
    assert plain["metrics"]["prompt_tokens"] == 11 and plain["metrics"]["completion_tokens"] == 7
    assert plain["metrics"]["tokens"] == 18 and plain["metrics"]["end"] >= plain["metrics"]["start"]
    assert stream["output"][0]["message"]["content"].strip() == "Paris is the capital"
    assert stream["metrics"]["tokens"] == 18 and stream["metrics"]["time_to_first_token"] >= 0
    assert tools["output"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    call = tool_stream["output"][0]["message"]["tool_calls"][0]
    assert call["function"] == {"name": "lookup", "arguments": '{"city": "Paris"}'} and call["id"] == "call_1"
    assert completion["input"] == "Say hi" and completion["output"][0]["text"] == "Paris is the capital"
    assert embedding["output"] == {"embeddings": 2, "dimensions": 16}


def test_openai_errors_are_recorded_and_raised(server, sdk, llm) -> None:
    logger = twinplane.init_logger("wrap-err")
    client = twinplane.wrap_openai(openai.OpenAI(api_key="sk-x", base_url=llm.url + "/v1", max_retries=0))
    llm.fail_next = [500]
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    (row,) = _llm_rows(server, logger)
    assert "InternalServerError" in row["error"] and "end" in row["metrics"]


def test_async_openai(server, sdk, llm) -> None:
    logger = twinplane.init_logger("wrap-async")
    client = twinplane.wrap_openai(openai.AsyncOpenAI(api_key="sk-x", base_url=llm.url + "/v1", max_retries=0))

    async def main():
        await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "a"}])
        stream = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "b"}],
                                                      stream=True, stream_options={"include_usage": True})
        return [c async for c in stream]

    assert asyncio.run(main())
    rows = _llm_rows(server, logger)
    assert len(rows) == 2 and all(r["metrics"]["tokens"] == 18 for r in rows)


def test_anthropic_sync_async_stream(server, sdk, llm) -> None:
    logger = twinplane.init_logger("wrap-anthropic")
    client = twinplane.wrap_anthropic(anthropic.Anthropic(api_key="sk-ant", base_url=llm.url, max_retries=0))
    msg = client.messages.create(model="claude-x", max_tokens=100, system="be brief",
                                 messages=[{"role": "user", "content": "Capital?"}])
    assert msg.content[0].text == "Paris is the capital"
    events = list(client.messages.create(model="claude-x", max_tokens=100, stream=True,
                                         messages=[{"role": "user", "content": "s"}]))
    assert events
    with client.messages.stream(model="claude-x", max_tokens=100, messages=[{"role": "user", "content": "t"}]) as s:
        text = "".join(s.text_stream)
    assert text.strip() == "Paris is the capital"
    tool = client.messages.create(model="claude-x", max_tokens=10, messages=[{"role": "user", "content": "w"}],
                                  tools=[{"name": "get_weather", "input_schema": {"type": "object"}}])
    assert tool.content[0].name == "get_weather"
    aclient = twinplane.wrap_anthropic(anthropic.AsyncAnthropic(api_key="sk-ant", base_url=llm.url, max_retries=0))
    asyncio.run(aclient.messages.create(model="claude-x", max_tokens=5, messages=[{"role": "user", "content": "a"}]))
    rows = sorted(_llm_rows(server, logger), key=lambda r: r["metrics"]["start"])
    assert len(rows) == 5
    plain, streamed, managed, tool_row, async_row = rows
    assert plain["input"][0] == {"role": "system", "content": "be brief"}
    assert plain["output"]["content"][0]["text"] == "Paris is the capital"
    assert plain["metrics"]["prompt_tokens"] == 13 and plain["metrics"]["completion_tokens"] == 5
    assert plain["metadata"]["model"] == "claude-x" and plain["metadata"]["provider"] == "anthropic"
    assert streamed["output"]["content"][0]["text"].strip() == "Paris is the capital"
    assert streamed["metrics"]["completion_tokens"] == 5 and streamed["metrics"]["prompt_tokens"] == 13
    assert managed["output"]["content"][0]["text"].strip() == "Paris is the capital"
    assert tool_row["output"]["content"][0]["input"] == {"city": "Paris"}
    assert async_row["metrics"]["tokens"] == 18


def test_wrapping_is_idempotent_and_harmless_without_a_logger(sdk, llm) -> None:
    sdk.current_object = None
    client = openai.OpenAI(api_key="sk-x", base_url=llm.url + "/v1", max_retries=0)
    assert twinplane.wrap_openai(twinplane.wrap_openai(client)) is client
    r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content


def test_openai_responses_api_plain_and_streamed(server, sdk, llm) -> None:
    logger = twinplane.init_logger("wrap-responses")
    client = twinplane.wrap_openai(openai.OpenAI(api_key="sk-x", base_url=llm.url + "/v1", max_retries=0))
    r = client.responses.create(model="gpt-4.1-mini", input="Capital of France?", instructions="be brief")
    assert r.output_text == "Paris is the capital"
    events = list(client.responses.create(model="gpt-4.1-mini", input="again", stream=True))
    assert events[-1].type == "response.completed"
    plain, streamed = sorted(_llm_rows(server, logger), key=lambda r: r["metrics"]["start"])
    assert plain["span_attributes"]["name"] == "Response" and plain["input"] == "Capital of France?"
    assert plain["metadata"]["instructions"] == "be brief" and plain["metadata"]["model"] == "gpt-4.1-mini"
    assert plain["output"][0]["content"][0]["text"] == "Paris is the capital"
    assert plain["metrics"]["prompt_tokens"] == 9 and plain["metrics"]["completion_tokens"] == 6
    assert streamed["output"][0]["content"][0]["text"] == "Paris is the capital"
    assert streamed["metrics"]["tokens"] == 15 and "time_to_first_token" in streamed["metrics"]
