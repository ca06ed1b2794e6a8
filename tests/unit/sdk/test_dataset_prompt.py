"""Datasets (insert, update, delete, iterate, pin a version) and prompts (load, build, create)."""

from __future__ import annotations

import pytest

import twinplane
from twinplane.sdk.mustache import TemplateError, render


def test_dataset_lifecycle_and_versions(server, sdk) -> None:
    ds = twinplane.init_dataset("proj", "ds1", description="d")
    a = ds.insert(input={"q": 1}, expected="one", tags=["x", "x"], metadata={"m": 1})
    b = ds.insert(input={"q": 2}, output="two", id="row-b")
    c = ds.insert(input={"q": 3}, expected="three")
    rows = {r["id"]: r for r in ds}
    assert set(rows) == {a, b, c} and rows["row-b"]["expected"] == "two" and rows[a]["tags"] == ["x"]
    v1 = ds.version
    assert isinstance(v1, str) and len(v1) == 19
    ds.update("row-b", metadata={"updated": True})
    ds.delete(c)
    rows = {r["id"]: r for r in ds.fetch()}
    assert set(rows) == {a, b} and rows[b]["metadata"] == {"updated": True} and rows[b]["input"] == {"q": 2}
    assert ds.version > v1
    assert ds.summarize() == {"total_records": 2}
    # get-or-create: the same dataset again, and a pinned old version
    again = twinplane.init_dataset("proj", "ds1")
    assert again.id == ds.id
    pinned = twinplane.init_dataset("proj", "ds1", version=v1)
    assert {r["id"] for r in pinned} == {a, b, c}
    with pytest.raises(ValueError):
        pinned.insert(input=1)
    fetches = [b_ for m, p, b_ in server.requests if p.endswith("/fetch")]
    assert fetches[-1]["version"] == v1
    dataset_posts = [b_ for m, p, b_ in server.requests if p == "/v1/dataset"]
    assert dataset_posts[0] == {"project_id": ds.ref.metadata()["project_id"], "name": "ds1", "description": "d"}


def test_dataset_rows_on_the_wire(server, sdk) -> None:
    ds = twinplane.init_dataset("proj", "wire")
    ds.insert(input=1, expected=2, id="r1")
    ds.flush(5)
    ds.update("r1", expected=3)
    ds.delete("r1")
    ds.flush(5)
    rows = server.logs3_rows()
    assert rows[0]["id"] == "r1" and rows[0]["dataset_id"] == ds.id and "_is_merge" not in rows[0]
    assert rows[0]["created"].endswith("+00:00")
    assert rows[-1]["_object_delete"] is True
    assert list(ds) == []


def test_prompts_create_load_build_and_pin(server, sdk) -> None:
    p1 = twinplane.create_prompt("proj", "greet", messages=[{"role": "system", "content": "You are {{who}}."},
                                                            {"role": "user", "content": "Hi {{user.name}}"}],
                                 model="gpt-4o-mini", params={"temperature": 0})
    p2 = twinplane.create_prompt("proj", "greet", messages=[{"role": "user", "content": "v2 {{who}}"}],
                                 model="gpt-4o")
    assert p1.id == p2.id and p2.version > p1.version
    latest = twinplane.load_prompt("proj", "greet")
    assert latest.version == p2.version
    built = latest.build(who="a bot")
    assert built["model"] == "gpt-4o" and built["messages"] == [{"role": "user", "content": "v2 a bot"}]
    old = twinplane.load_prompt("proj", "greet", version=p1.version)
    built = old.build(who="helpful", user={"name": "Ada"})
    assert built["messages"][0]["content"] == "You are helpful." and built["messages"][1]["content"] == "Hi Ada"
    assert built["temperature"] == 0 and built["span_info"]["metadata"]["prompt"]["version"] == p1.version
    comp = twinplane.create_prompt("proj", "comp", prompt="Say {{x}}")
    assert twinplane.load_prompt("proj", "comp").build(x=1)["prompt"] == "Say 1"
    with pytest.raises(twinplane.NotFoundError):
        twinplane.load_prompt("proj", "missing")
    assert comp.slug == "comp"


def test_mustache_rendering() -> None:
    assert render("{{a}} {{{b}}} {{& c}}", {"a": "<x>", "b": 1, "c": None}) == "<x> 1 "
    assert render("{{#items}}[{{name}}]{{/items}}", {"items": [{"name": "a"}, {"name": "b"}]}) == "[a][b]"
    assert render("{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}", {"ok": False}) == "no"
    assert render("{{#xs}}{{.}},{{/xs}}", {"xs": [1, 2]}) == "1,2,"
    assert render("{{obj}} {{! comment }}{{a.0}}", {"obj": {"k": [1]}, "a": ["z"]}) == '{"k":[1]} z'
    with pytest.raises(KeyError):
        render("{{missing}}", {}, strict=True)
    with pytest.raises(TemplateError):
        render("{{#a}}x", {})


def test_load_prompt_falls_back_to_the_disk_cache(server, tmp_path) -> None:
    from twinplane.sdk import state as state_mod
    from twinplane.sdk.config import Config

    from .wire_server import API_KEY, Fault

    st = state_mod.set_state(state_mod.State(Config(api_key=API_KEY, app_url=server.url, max_backoff=0.01,
                                                    atexit_flush=False, prompt_cache_dir=str(tmp_path))))
    try:
        twinplane.create_prompt("proj", "cached", messages=[{"role": "user", "content": "Hi {{n}}"}])
        assert twinplane.load_prompt("proj", "cached").build(n=1)["messages"][0]["content"] == "Hi 1"
        assert list(tmp_path.glob("*.json"))
        server.fail("/v1/prompt", Fault(503, times=100))
        cached = twinplane.load_prompt("proj", "cached")  # data plane failing: the cached copy
        assert cached.build(n=2)["messages"][0]["content"] == "Hi 2"
        with pytest.raises(twinplane.APIError):  # never loaded before: nothing to fall back to
            twinplane.load_prompt("proj", "other")
        server.faults.clear()
        server.fail("/v1/prompt", Fault(403, times=100))
        with pytest.raises(twinplane.APIError):  # a refusal is not an outage
            twinplane.load_prompt("proj", "cached")
    finally:
        server.faults.clear()
        st.delivery.close(2)
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))
