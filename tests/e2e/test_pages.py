"""The main flows in a real browser against real planes on two origins."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from e2e.conftest import World, screenshot
from e2e.seed import Case, Seeder, now_minus

pytestmark = pytest.mark.slow


def rows(page: Any, table: str) -> Any:
    return page.locator(f"[data-testid={table}] .vt-row[data-row-index]")


def test_sign_in_page_and_redirect(browser: Any, world: World) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(f"{world.ui_url}/o/{world.org_id}")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("input[name=email]", world.planes.state["admin_email"])
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    page.get_by_text("Wrong email or password.").wait_for()
    screenshot(page, "sign-in")
    page.fill("input[name=password]", world.planes.state["admin_password"])
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=project-list]")
    assert page.url.endswith(f"/o/{world.org_id}")
    assert page.get_by_text("support-bot").count() >= 1
    ctx.close()


def test_experiments_list_and_experiment_table(page: Any, world: World) -> None:
    page.goto(world.project_url(world.demo["project"], "/experiments"))
    table = page.locator("[data-testid=experiment-list]")
    table.get_by_text("with-retrieval").wait_for()
    page.get_by_text("Scores over time").wait_for()
    page.locator("[data-testid=experiment-list]").get_by_text("c3d4e5f").wait_for()  # commit from repo_info
    screenshot(page, "experiments")
    table.get_by_text("with-retrieval").click()
    page.wait_for_selector("[data-testid=cases-table] .vt-row")
    assert rows(page, "cases-table").count() == 12
    page.locator("[data-testid=summary]").get_by_text("ExactMatch").wait_for()
    # per-trace scores are filled in from the scorer spans
    page.locator("[data-testid=cases-table] .score-cell").first.wait_for()
    screenshot(page, "experiment")
    # sorting by a score orders cases by their trace-level score (scores live on scorer spans)
    page.locator("[data-testid=cases-table] .vt-th", has_text="Levenshtein").click()
    page.wait_for_url(re.compile(r"sort=scores.Levenshtein%3Adesc|sort=scores.Levenshtein:desc"))
    page.locator("[data-testid=cases-table] .vt-th", has_text="Levenshtein").click()
    page.wait_for_url(re.compile(r"Levenshtein(%3A|:)asc"))
    page.wait_for_selector("[data-testid=cases-table]:not([aria-busy=true])")
    first = rows(page, "cases-table").nth(0)
    last = rows(page, "cases-table").nth(11)
    expect(first.locator(".score-cell").nth(1)).not_to_have_text("–")
    expect(last.locator(".score-cell").nth(1)).not_to_have_text("–")
    lo = float(first.locator(".score-cell").nth(1).inner_text().rstrip("%"))
    hi = float(last.locator(".score-cell").nth(1).inner_text().rstrip("%"))
    assert lo <= hi
    # any column of the row's JSON sorts too: the cases' inputs (strings) by their text, descending
    page.locator("[data-testid=cases-table] .vt-th", has_text="Input").click()
    page.wait_for_url(re.compile(r"sort=input(%3A|:)desc"))
    page.wait_for_selector("[data-testid=cases-table]:not([aria-busy=true])")
    headers = page.locator("[data-testid=cases-table] .vt-th").all_inner_texts()
    col = next(i for i, h in enumerate(headers) if h.startswith("Input"))
    expect(rows(page, "cases-table")).to_have_count(12)
    inputs = [rows(page, "cases-table").nth(i).locator(".vt-td").nth(col).get_attribute("title") for i in range(12)]
    assert inputs == sorted(inputs, reverse=True), inputs
    screenshot(page, "experiment-sorted-by-input")


def test_filter_language_errors_inline_and_filters(page: Any, world: World) -> None:
    exp = world.demo["experiments"][0]
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    page.wait_for_selector("[data-testid=cases-table] .vt-row")
    box = page.get_by_label("Filter")
    box.fill("scores.ExactMatch <<< 1")
    box.press("Enter")
    err = page.locator(".inline-error")
    err.wait_for()
    assert "position" in err.inner_text() or "expected" in err.inner_text().lower()
    box.fill("metadata.category = 'billing'")
    box.press("Enter")
    expect(rows(page, "cases-table")).to_have_count(6)
    assert page.locator(".inline-error").count() == 0
    assert "filter=" in page.url
    search = page.get_by_label("Full-text search")
    search.fill("refund")
    expect(rows(page, "cases-table")).to_have_count(1)


def test_open_trace_and_chat_view(page: Any, world: World) -> None:
    exp = world.demo["experiments"][2]
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    rows(page, "cases-table").first.click()
    viewer = page.locator("[data-testid=trace-viewer]")
    viewer.wait_for()
    spans = page.locator("[data-testid=span-row]")
    assert spans.count() == 4
    spans.filter(has_text="Chat Completion").click()
    details = page.locator("[data-testid=span-details]")
    details.locator(".msg.system").wait_for()
    assert details.locator(".msg.assistant").count() == 1
    details.get_by_text("Tokens").wait_for()
    screenshot(page, "trace")
    # the selected span is in the URL: a reload (or a shared link) opens the same span
    page.wait_for_url(re.compile(r"[?&]span="))
    page.reload()
    expect(page.locator("[data-testid=span-details] h2")).to_have_text("Chat Completion")
    page.keyboard.press("Escape")
    viewer.wait_for(state="detached")


def test_compare_two_experiments(page: Any, world: World) -> None:
    page.goto(world.project_url(world.demo["project"], "/experiments"))
    page.get_by_label("select with-retrieval").check()
    page.get_by_label("select shorter-prompt").check()
    page.click("[data-testid=compare-button]")
    page.wait_for_selector("[data-testid=compare-table] .vt-row")
    summary = page.locator("[data-testid=compare-summary]")
    summary.get_by_text("Levenshtein").wait_for()
    regress = page.locator("[data-testid=show-regression]")
    n = int(re.search(r"\((\d+)\)", regress.inner_text()).group(1))
    assert n > 0
    regress.click()
    assert rows(page, "compare-table").count() == n
    screenshot(page, "compare")
    rows(page, "compare-table").first.click()
    diff = page.locator("[data-testid=text-diff]")
    diff.wait_for()
    assert diff.locator(".add, .del").count() > 0


def test_logs_filter_search_and_trace(page: Any, world: World) -> None:
    page.goto(world.project_url(world.demo["project"], "/logs"))
    page.wait_for_selector("[data-testid=logs-table] .vt-row")
    expect(page.locator("[data-testid=logs-table] .vt-foot")).to_contain_text("40 traces")
    assert rows(page, "logs-table").count() < 40  # virtualized: only what is in view is in the DOM
    screenshot(page, "logs")
    page.get_by_label("Filter").fill("metadata.plan = 'pro'")
    page.get_by_label("Filter").press("Enter")
    expect(page.locator("[data-testid=logs-table] .vt-foot")).to_contain_text("20 traces")
    page.get_by_label("Time range").select_option("15m")  # the only trace that recent is on the free plan
    page.get_by_text("No traces in this view").wait_for()
    page.get_by_label("Time range").select_option("all")
    page.get_by_label("Filter").fill("")
    page.get_by_label("Filter").press("Enter")
    # the box follows the URL (a navigation), so it turns checked a moment after the click:
    # Playwright's check() fails when the state has not changed at once (seen under load)
    page.get_by_label("Errors only").click()
    expect(page.get_by_label("Errors only")).to_be_checked()
    expect(page.locator("[data-testid=logs-table] .vt-foot")).to_contain_text("3 traces")
    rows(page, "logs-table").first.click()
    page.locator("[data-testid=trace-viewer]").wait_for()
    assert page.locator("[data-testid=span-row]").filter(has_text="search_docs").count() >= 1


def test_edit_dataset_row_creates_a_version(page: Any, world: World) -> None:
    ds = world.demo["dataset"]
    page.goto(world.project_url(world.demo["project"], f"/datasets/{ds['id']}"))
    page.wait_for_selector("[data-testid=dataset-table] .vt-row")
    versions_before = page.locator("[data-testid=versions] button").count()
    rows(page, "dataset-table").filter(has_text="Do you ship to Canada?").click()
    page.click("[data-testid=edit-row]")
    page.fill("textarea[name=expected]", "Yes — Canada, the US and Mexico.")
    page.click("[data-testid=save-row]")
    page.locator("[data-testid=dataset-table]").get_by_text("Yes — Canada, the US and Mexico.").wait_for()
    expect(page.locator("[data-testid=versions] button")).to_have_count(versions_before + 1)
    screenshot(page, "dataset")
    # the previous version still has the old answer
    page.locator("[data-testid=versions] button").nth(2).click()
    page.get_by_text("read-only").wait_for()
    page.locator("[data-testid=dataset-table]").get_by_text("Yes, we ship to Canada and the US.").wait_for()


def test_add_human_review_score_and_comment(page: Any, world: World) -> None:
    exp = world.demo["experiments"][1]
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    rows(page, "cases-table").first.click()
    panel = page.locator("[data-testid=review-panel]")
    panel.wait_for()
    panel.get_by_label("new score name").fill("Helpfulness")
    panel.get_by_role("button", name="Add").click()
    panel.get_by_label("score Helpfulness").fill("80")
    panel.get_by_label("comment").fill("Too terse for a customer.")
    panel.get_by_role("button", name="Save review").click()
    panel.get_by_text("Saved").wait_for()
    page.get_by_text("Too terse for a customer.").wait_for()
    with world.planes.client() as c:
        found = c.post("/v1/query", json={"object_type": "experiment", "object_id": exp["id"],
                                          "filter": "scores.Helpfulness = 0.8"}).json()["data"]
        assert len(found) == 1
        comments = c.post("/v1/query", json={"object_type": "experiment", "object_id": exp["id"],
                                             "filter": "span_id IS NULL"}).json()["data"]
        assert any(r.get("comment", {}).get("text") == "Too terse for a customer." and
                   r["origin"]["id"] == found[0]["id"] for r in comments)


def test_review_queue_keyboard(page: Any, world: World) -> None:
    exp = world.demo["experiments"][0]
    page.goto(world.project_url(world.demo["project"], f"/review?source=experiment:{exp['id']}"))
    page.locator("[data-testid=review-item]").wait_for()
    page.get_by_label("Add score name").fill("Tone")
    page.get_by_label("Add score name").press("Enter")
    page.locator("[data-testid=score-Tone]").wait_for()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("0")  # Tone = 100 %
    page.keyboard.press("c")
    page.keyboard.type("friendly")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.get_by_text("1 reviewed").wait_for()
    screenshot(page, "review")
    with world.planes.client() as c:
        found = c.post("/v1/query", json={"object_type": "experiment", "object_id": exp["id"],
                                          "filter": "scores.Tone = 1"}).json()["data"]
        assert len(found) == 1


def test_create_and_revoke_api_key(page: Any, world: World) -> None:
    page.goto(f"{world.ui_url}/o/{world.org_id}/settings/api-keys")
    page.fill("input[name=key-name]", "e2e-key")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("[data-testid=new-key-value]").inner_text().strip()
    assert key.startswith("tpk_")
    screenshot(page, "api-keys")
    with httpx.Client(base_url=world.planes.control_url, timeout=10) as c:
        assert c.post("/api/apikey/login", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    page.get_by_role("button", name="Done").click()
    page.on("dialog", lambda d: d.accept())
    row = page.locator("[data-testid=api-keys] tr", has_text="e2e-key")
    row.get_by_role("button", name="Revoke").click()
    row.get_by_text("revoked").wait_for()
    with httpx.Client(base_url=world.planes.control_url, timeout=10) as c:
        assert c.post("/api/apikey/login", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_settings_connection_check_and_prompt_diff(page: Any, world: World) -> None:
    page.goto(f"{world.ui_url}/o/{world.org_id}/settings/data-plane")
    page.click("[data-testid=check-connection]")
    page.locator("[data-testid=connection]").get_by_text("Connected").wait_for()
    screenshot(page, "settings-data-plane")
    page.goto(world.project_url(world.demo["project"], f"/prompts/{world.demo['prompt']['id']}"))
    boxes = page.locator("[data-testid=prompt-versions] input[type=checkbox]")
    boxes.first.wait_for()
    assert boxes.count() == 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    diff = page.locator("[data-testid=prompt-diff]")
    diff.locator(".add").first.wait_for()
    assert "language" in diff.locator(".add").first.inner_text()
    page.locator("[data-testid=playground-slot]").wait_for()
    screenshot(page, "prompt")


def test_big_trace_pages(page: Any, world: World) -> None:
    project = world.demo["project"]
    from e2e.seed import Seeder, now_minus

    s = Seeder(world.planes.data_url, world.planes.api_key, seed=11)
    root = s.big_trace(project["id"], 2500, now_minus(minutes=1))
    s.close()
    page.goto(world.project_url(project, f"/trace/project_logs/{project['id']}/{root}"))
    page.locator("[data-testid=trace-viewer]").wait_for()
    expect(page.locator("[data-testid=span-count]")).to_have_text("2,500")
    # virtualized: far fewer rows in the DOM than spans
    assert page.locator("[data-testid=span-row]").count() < 200
    page.keyboard.press("j")
    expect(page.locator("[data-testid=span-details] h2")).to_have_text("step 1")
    page.keyboard.press("j")
    expect(page.locator("[data-testid=span-details] h2")).to_have_text("llm call 0")


def test_unreachable_data_plane_is_explained(page: Any, world: World) -> None:
    data_origin = world.planes.data_url
    page.route(f"{data_origin}/**", lambda route: route.abort("connectionrefused"))
    page.goto(world.project_url(world.demo["project"], "/logs"))
    notice = page.get_by_role("alert").filter(has_text="The data plane is unreachable")
    notice.wait_for()
    text = notice.inner_text()
    assert data_origin in text
    assert "CORS" in text and "Private network" in text
    assert world.ui_url in text  # the origin the data plane must allow
    screenshot(page, "data-plane-unreachable")


def test_add_and_delete_dataset_row(page: Any, world: World) -> None:
    ds = world.demo["dataset"]
    page.goto(world.project_url(world.demo["project"], f"/datasets/{ds['id']}"))
    page.wait_for_selector("[data-testid=dataset-table] .vt-row")
    page.click("[data-testid=add-row]")
    page.fill("textarea[name=input]", "Can I pay with crypto?")
    page.fill("textarea[name=expected]", "Not yet.")
    page.fill("textarea[name=metadata]", "{oops")
    page.click("[data-testid=save-row]")
    page.get_by_text("Metadata is not valid JSON").wait_for()  # checked before anything is sent
    page.fill("textarea[name=metadata]", '{"source": "manual"}')
    page.click("[data-testid=save-row]")
    table = page.locator("[data-testid=dataset-table]")
    table.get_by_text("Can I pay with crypto?").wait_for()
    page.on("dialog", lambda d: d.accept())
    rows(page, "dataset-table").filter(has_text="Can I pay with crypto?").click()
    page.locator("[data-testid=row-detail]").get_by_role("button", name="Delete").click()
    expect(table.get_by_text("Can I pay with crypto?")).to_have_count(0)


def test_save_a_new_prompt_and_a_second_version(page: Any, world: World) -> None:
    page.goto(world.project_url(world.demo["project"], "/prompts/new"))
    page.fill("input[name=name]", "Triage ticket")
    assert page.input_value("input[name=slug]") == "triage-ticket"
    page.get_by_label("message 1").fill("You triage tickets for {{product}}.")
    page.get_by_label("message 2").fill("{{ticket}}")
    page.get_by_text("product", exact=True).wait_for()  # detected variables
    page.click("[data-testid=save-prompt]")
    page.wait_for_url(re.compile(r"/prompts/[0-9a-f-]{36}$"))
    # the saved prompt's page has rendered (the URL changes first: router navigations are transitions)
    boxes = page.locator("[data-testid=prompt-versions] input[type=checkbox]")
    expect(boxes).to_have_count(1)
    page.get_by_label("message 1").fill("You triage support tickets for {{product}}, politely.")
    page.click("[data-testid=save-prompt]")
    expect(boxes).to_have_count(2)
    with world.planes.client() as c:
        found = c.get("/v1/prompt", params={"project_id": world.demo["project"]["id"], "slug": "triage-ticket"}).json()["objects"]
        assert found[0]["prompt_data"]["prompt"]["messages"][0]["content"] == "You triage support tickets for {{product}}, politely."


def test_provider_secret_is_masked_and_members_roles(page: Any, world: World) -> None:
    page.goto(f"{world.ui_url}/o/{world.org_id}/settings/secrets")
    page.get_by_label("Value").fill("sk-test-1234567890abcd")
    page.get_by_role("button", name="Save secret").click()
    table = page.locator("[data-testid=secrets]")
    table.get_by_text("OPENAI_API_KEY").wait_for()
    assert "sk-test-1234567890abcd" not in page.content()
    assert "abcd" in table.inner_text()
    page.goto(f"{world.ui_url}/o/{world.org_id}/settings/members")
    page.get_by_label("Email").fill("reviewer@example.com")
    page.get_by_label("Password (new local account)").fill("a long enough password 123")
    page.get_by_role("button", name="Add member").click()
    row = page.locator("[data-testid=members] tr", has_text="reviewer@example.com")
    row.wait_for()
    row.locator("select").select_option("viewer")
    page.reload()
    expect(page.locator("[data-testid=members] tr", has_text="reviewer@example.com").locator("select")).to_have_value("viewer")


def test_sdk_style_links_resolve_names(page: Any, world: World) -> None:
    # The SDK prints {app}/app/{org}/p/{project}/experiments/{name} after an eval.
    page.goto(f"{world.ui_url}/app/{world.planes.state['org_name']}/p/support-bot/experiments/baseline")
    page.wait_for_url(re.compile(r"/o/[^/]+/p/[^/]+/experiments/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("experiment-name")).to_have_text("baseline")


def test_keyboard_opens_and_walks_a_trace(page: Any, world: World) -> None:
    exp = world.demo["experiments"][0]
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    page.wait_for_selector("[data-testid=cases-table] .vt-row")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("[data-testid=cases-table] .vt-row.selected")).to_have_attribute("data-row-index", "1")
    page.keyboard.press("Enter")
    page.locator("[data-testid=trace-viewer]").wait_for()
    page.keyboard.press("j")  # inside the drawer: next span, not next case
    expect(page.locator("[data-testid=span-details] h2")).to_have_text("task")
    page.keyboard.press("f")  # the filter box behind the drawer must not take focus
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") != "Filter"
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=trace-viewer]")).to_have_count(0)
    page.keyboard.press("?")
    page.get_by_text("Keyboard shortcuts").wait_for()


def test_browse_the_sdk_demo_project(page: Any, world: World) -> None:
    page.goto(f"{world.ui_url}/o/{world.org_id}")
    page.locator("[data-testid=project-list]").get_by_text("demo-support-bot").click()
    table = page.locator("[data-testid=experiment-list]")
    table.get_by_text("short-answers-regression").wait_for()
    assert table.locator("tbody tr").count() == 3
    page.get_by_text("Scores over time").wait_for()
    table.get_by_text("short-answers-regression").click()
    expect(page.locator("[data-testid=summary]")).to_contain_text("ExactMatch")
    page.get_by_text("compared to baseline-gpt-4o-mini").wait_for()
    rows(page, "cases-table").first.click()
    page.locator("[data-testid=span-details]").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Logs").click()
    expect(page.locator("[data-testid=logs-table] .vt-foot")).to_contain_text("12 traces")
    page.get_by_role("link", name="Datasets").click()
    page.locator("[data-testid=dataset-list]").get_by_text("support-questions").click()
    page.wait_for_selector("[data-testid=dataset-table] .vt-row")
    page.get_by_role("link", name="Prompts").click()
    page.locator("[data-testid=prompt-list]").get_by_text("Support answer").click()
    expect(page.locator("[data-testid=prompt-versions] input[type=checkbox]")).to_have_count(2)


def test_import_and_export_dataset_rows(page: Any, world: World) -> None:
    page.goto(world.project_url(world.demo["project"], "/datasets"))
    page.get_by_label("New dataset name").fill("imported")
    page.get_by_role("button", name="Create dataset").click()
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    page.get_by_text("This dataset is empty").wait_for()
    jsonl = '{"input": "q1", "expected": "a1"}\n{"input": "q2", "output": "a2", "tags": ["t"]}\nnot json\n'
    page.set_input_files("[data-testid=import-file]", files=[{"name": "rows.jsonl", "mimeType": "application/x-ndjson", "buffer": jsonl.encode()}])
    page.get_by_text("line 3: not valid JSON").wait_for()  # nothing is written from a bad file
    good = "\n".join(f'{{"input": "q{i}", "expected": "a{i}", "id": "imp-{i}"}}' for i in range(1, 4))
    page.set_input_files("[data-testid=import-file]", files=[{"name": "rows.jsonl", "mimeType": "application/x-ndjson", "buffer": good.encode()}])
    page.get_by_test_id("import-notice").filter(has_text="Imported 3 rows").wait_for()
    expect(page.locator("[data-testid=dataset-table] .vt-foot")).to_contain_text("3 rows")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export").click()
    text = open(dl.value.path()).read()
    assert sorted(line.split('"id":"')[1].split('"')[0] for line in text.strip().splitlines()) == ["imp-1", "imp-2", "imp-3"]


def test_viewer_sees_data_but_no_write_controls(browser: Any, world: World) -> None:
    c = world.planes.admin_session()
    try:
        r = c.post(f"/api/v1/orgs/{world.org_id}/members",
                   json={"email": "viewer@example.com", "role": "viewer", "password": "viewer password 12345"})
        assert r.status_code == 200, r.text
    finally:
        c.close()
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(f"{world.ui_url}/login")
    page.fill("input[name=email]", "viewer@example.com")
    page.fill("input[name=password]", "viewer password 12345")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=project-list]")
    assert page.get_by_role("button", name="Create project").count() == 0
    exp = world.demo["experiments"][0]
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    rows(page, "cases-table").first.click()
    page.get_by_text("Viewers can read reviews but not add them.").wait_for()
    assert page.locator("[data-testid=review-panel]").count() == 0
    page.goto(world.project_url(world.demo["project"], f"/datasets/{world.demo['dataset']['id']}"))
    page.wait_for_selector("[data-testid=dataset-table] .vt-row")
    assert page.locator("[data-testid=add-row]").count() == 0
    ctx.close()


def test_delete_an_experiment_and_a_dataset(page: Any, world: World) -> None:
    seeder = Seeder(world.planes.data_url, world.planes.api_key)
    try:
        exp = seeder.experiment(world.demo["project"]["id"], "throwaway run")
        seeder.logs3(seeder.eval_rows(exp["id"], [Case("a question to forget", "an answer", "an answer", {"Exact": 1.0})],
                                      start=now_minus(minutes=5)))
    finally:
        seeder.close()
    page.on("dialog", lambda d: d.accept())
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    rows(page, "cases-table").first.wait_for()
    screenshot(page, "experiment-delete-button")
    page.get_by_test_id("delete-experiment").click()
    page.wait_for_url(re.compile(r"/experiments$"))
    page.wait_for_selector("[data-testid=experiment-list]")
    expect(page.get_by_text("throwaway run")).to_have_count(0)
    page.goto(world.project_url(world.demo["project"], f"/experiments/{exp['id']}"))
    page.get_by_text("It may have been deleted").first.wait_for()

    page.goto(world.project_url(world.demo["project"], "/datasets"))
    page.get_by_label("New dataset name").fill("short-lived")
    page.get_by_role("button", name="Create dataset").click()
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    page.get_by_text("This dataset is empty").wait_for()
    page.get_by_test_id("delete-dataset").click()
    page.wait_for_url(re.compile(r"/datasets$"))
    expect(page.get_by_text("short-lived")).to_have_count(0)


def test_delete_a_project_by_typing_its_name(page: Any, world: World) -> None:
    seeder = Seeder(world.planes.data_url, world.planes.api_key)
    try:
        project = seeder.project("scratch-project")
        seeder.log_trace(project["id"], now_minus(minutes=1), "what is left?", "nothing")
    finally:
        seeder.close()
    answers = iter(["not the name", "scratch-project"])
    page.on("dialog", lambda d: d.accept(next(answers)))
    page.goto(f"{world.ui_url}/o/{world.org_id}")
    card = page.locator("[data-testid=project-list] .card").filter(has_text="scratch-project")
    card.hover()
    screenshot(page, "projects-with-delete")
    card.get_by_test_id("delete-project").click()  # a wrong name deletes nothing
    page.wait_for_timeout(300)
    expect(card).to_have_count(1)
    assert "/p/" not in page.url  # the button is not part of the card's link
    card.get_by_test_id("delete-project").click()
    expect(page.locator("[data-testid=project-list] .card").filter(has_text="scratch-project")).to_have_count(0)
    assert page.get_by_text("support-bot").count() >= 1
    r = httpx.get(f"{world.planes.data_url}/v1/project_logs/{project['id']}/fetch",
                  headers={"Authorization": f"Bearer {world.planes.api_key}"})
    assert r.status_code == 404


def test_an_admin_sets_the_projects_log_retention(page: Any, world: World) -> None:
    project = world.demo["project"]
    page.on("dialog", lambda d: d.accept())
    page.goto(world.project_url(project, "/logs"))
    retention = page.get_by_test_id("retention")
    expect(retention).to_have_value("")  # kept forever until someone chooses
    retention.select_option("30")
    expect(retention).to_have_value("30")
    screenshot(page, "logs-retention")
    c = world.planes.admin_session()
    try:
        assert c.get(f"/api/v1/projects/{project['id']}").json()["settings"]["retention_days"] == 30
        retention.select_option("")
        expect(retention).to_have_value("")
        assert c.get(f"/api/v1/projects/{project['id']}").json()["settings"]["retention_days"] is None
    finally:
        c.close()


def test_an_admin_erases_a_data_subject_and_sees_the_receipt(page: Any, world: World) -> None:
    seeder = Seeder(world.planes.data_url, world.planes.api_key)
    try:
        project = seeder.project("erasure-project")
        rows = [{"id": f"er-{i}", "project_id": project["id"], "log_id": "g", "span_id": f"es{i}",
                 "root_span_id": f"er{i}", "input": "a question", "metadata": {"user_id": user}}
                for i, user in enumerate(["u-gone", "u-stays"])]
        seeder.logs3(rows)
    finally:
        seeder.close()
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{world.ui_url}/o/{world.org_id}/settings/erasure")
    page.fill("input[name=erasure-filter]", "metadata.user_id = 'u-gone'")
    page.get_by_label("Project").select_option(label="erasure-project")
    page.get_by_test_id("erase").click()
    expect(page.get_by_test_id("erasure-done")).to_contain_text("Erased 1 row in 1 object")
    expect(page.locator("[data-testid=erasure-receipts] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=erasure-receipts]")).to_contain_text("erasure-project")
    screenshot(page, "settings-erasure")
    r = httpx.post(f"{world.planes.data_url}/v1/project_logs/{project['id']}/fetch", json={},
                   headers={"Authorization": f"Bearer {world.planes.api_key}"})
    assert [e["metadata"]["user_id"] for e in r.json()["events"]] == ["u-stays"]


def test_delete_a_prompt(page: Any, world: World) -> None:
    seeder = Seeder(world.planes.data_url, world.planes.api_key)
    try:
        prompt = seeder.prompt(world.demo["project"]["id"], "Throwaway prompt", "throwaway-prompt",
                               [{"role": "user", "content": "Say hi to {{name}}"}])
    finally:
        seeder.close()
    page.on("dialog", lambda d: d.accept())
    page.goto(world.project_url(world.demo["project"], f"/prompts/{prompt['id']}"))
    page.get_by_test_id("delete-prompt").click()
    page.wait_for_url(re.compile(r"/prompts$"))
    expect(page.get_by_text("Throwaway prompt")).to_have_count(0)


def test_delete_selected_experiments(page: Any, world: World) -> None:
    seeder = Seeder(world.planes.data_url, world.planes.api_key)
    try:
        for name in ("scratch run one", "scratch run two"):
            exp = seeder.experiment(world.demo["project"]["id"], name)
            seeder.logs3(seeder.eval_rows(exp["id"], [Case("q", "a", "a", {"Exact": 1.0})], start=now_minus(minutes=2)))
    finally:
        seeder.close()
    page.on("dialog", lambda d: d.accept())
    page.goto(world.project_url(world.demo["project"], "/experiments"))
    page.get_by_label("select scratch run one").check()
    page.get_by_label("select scratch run two").check()
    page.get_by_test_id("delete-selected").click()
    expect(page.get_by_text("scratch run one")).to_have_count(0)
    expect(page.get_by_text("scratch run two")).to_have_count(0)
    expect(page.get_by_test_id("delete-selected")).to_have_count(0)  # nothing selected any more
    assert page.get_by_text("with-retrieval").count() >= 1  # the others stay
