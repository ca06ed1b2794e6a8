"""What the browser sends where, and that hostile row content never executes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from e2e.conftest import World, screenshot
from e2e.hostile_data import CANARY

pytestmark = pytest.mark.slow

# Control-plane paths the UI may call: its own API, the app's files and its routes.
DATA_PATHS = ("/v1/", "/logs3", "/btql", "/otel/")


def _origin(url: str) -> str:
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}"


def _visit_everything(page: Any, world: World) -> None:
    h = world.hostile
    proj = h["project"]
    page.goto(world.project_url(proj, "/experiments"))
    page.locator("[data-testid=experiment-list]").get_by_text("payloads").wait_for()
    page.goto(world.project_url(proj, f"/experiments/{h['experiment']['id']}"))
    page.wait_for_selector("[data-testid=cases-table] .vt-row")
    page.get_by_label("Full-text search").fill(CANARY)
    page.get_by_label("Full-text search").press("Enter")
    page.wait_for_selector("[data-testid=cases-table] .vt-row")
    page.locator("[data-testid=cases-table] .vt-row[data-row-index]").first.click()
    page.locator("[data-testid=span-details]").wait_for()
    for i in range(page.locator("[data-testid=span-row]").count()):
        page.locator("[data-testid=span-row]").nth(i).click()
    # a human review whose comment carries the canary: it must go to the data plane only
    panel = page.locator("[data-testid=review-panel]")
    panel.get_by_label("comment").fill(f"review note {CANARY} <img src=x onerror=window.__xss=1>")
    panel.get_by_role("button", name="Save review").click()
    panel.get_by_text("Saved").wait_for()
    screenshot(page, "hostile-trace")
    page.keyboard.press("Escape")
    page.goto(world.project_url(proj, "/logs"))
    page.wait_for_selector("[data-testid=logs-table] .vt-row")
    page.locator("[data-testid=logs-table] .vt-row[data-row-index]").first.click()
    page.locator("[data-testid=span-details]").wait_for()
    page.keyboard.press("Escape")
    page.goto(world.project_url(proj, f"/datasets/{h['dataset']['id']}"))
    page.wait_for_selector("[data-testid=dataset-table] .vt-row")
    page.locator("[data-testid=dataset-table] .vt-row[data-row-index]").first.click()
    page.locator("[data-testid=row-detail]").wait_for()
    page.goto(world.project_url(proj, f"/prompts/{h['prompt']['id']}"))
    page.locator("[data-testid=prompt-versions]").wait_for()
    page.get_by_role("button", name="Preview with variables").click()
    page.goto(world.project_url(proj, f"/review?source=experiment:{h['experiment']['id']}"))
    page.locator("[data-testid=review-item]").wait_for()


@dataclass
class Visit:
    """What one browsing session over the hostile project saw (shared by the tests below)."""

    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    control_bodies: list[tuple[str, str]] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    xss_flag: Any = None
    injected: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def visit(browser: Any, signed_in: dict[str, Any], world: World) -> Visit:
    v = Visit()
    control = _origin(world.ui_url)
    ctx = browser.new_context(storage_state=signed_in, viewport={"width": 1360, "height": 860})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()

    def on_response(res: Any) -> None:
        if _origin(res.url) == control and "/api/" in res.url:
            try:
                v.control_bodies.append((res.url, res.text()))
            except Exception:  # noqa: BLE001 - redirects and aborted loads have no body
                pass

    page.on("request", lambda req: v.requests.append((req.method, req.url, req.post_data)))
    page.on("response", on_response)
    page.on("dialog", lambda d: (v.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: v.page_errors.append(str(e)))
    try:
        _visit_everything(page, world)
        # back to the view with the most payloads, and look at the DOM itself
        h = world.hostile
        page.goto(world.project_url(h["project"], f"/experiments/{h['experiment']['id']}"))
        page.wait_for_selector("[data-testid=cases-table] .vt-row")
        page.locator("[data-testid=cases-table] .vt-row[data-row-index]").first.click()
        details = page.locator("[data-testid=span-details]")
        details.wait_for()
        details.get_by_text("<img src=x onerror=").first.wait_for()  # shown as text
        toggles = page.locator("[data-testid=span-details] .json .toggle")
        for i in range(min(5, toggles.count())):
            toggles.nth(i).click()
        v.xss_flag = page.evaluate("window.__xss")
        v.injected = page.evaluate(
            """() => ({
                imgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
                scripts: [...document.querySelectorAll('script')].filter(s => !s.src).length,
                iframes: document.querySelectorAll('iframe').length,
                svgHandlers: document.querySelectorAll('svg[onload], circle').length,
                jsLinks: [...document.querySelectorAll('a[href]')].filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length,
                handlers: [...document.querySelectorAll('*')].filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
            })"""
        )
        screenshot(page, "hostile-experiment")
    finally:
        ctx.close()
    return v


def test_row_content_goes_only_to_the_data_plane(visit: Visit, world: World) -> None:
    control = _origin(world.ui_url)
    data = _origin(world.planes.data_url)
    assert control != data
    to_control = [(m, u, b) for m, u, b in visit.requests if _origin(u) == control]
    to_data = [(m, u, b) for m, u, b in visit.requests if _origin(u) == data]
    others = [u for _, u, _ in visit.requests if _origin(u) not in (control, data)]
    assert not others, f"requests to a third origin: {others}"
    for method, url, body in to_control:
        path = urlsplit(url).path
        assert not path.startswith(DATA_PATHS), f"data request sent to the control plane: {method} {url}"
        assert CANARY not in url and CANARY not in (body or ""), f"row content sent to the control plane: {method} {url}"
    assert visit.control_bodies, "the control plane's answers were not recorded"
    for url, text in visit.control_bodies:
        assert CANARY not in text, f"the control plane answered with row content: {url}"
    data_paths = {urlsplit(u).path for _, u, _ in to_data}
    assert "/v1/query" in data_paths
    assert any("/trace/" in p for p in data_paths)
    assert any(p.endswith("/insert") for p in data_paths)
    assert any(CANARY in (b or "") for m, _, b in to_data if m == "POST"), "the review comment should reach the data plane"


def test_hostile_content_never_executes(visit: Visit) -> None:
    assert visit.xss_flag is None
    assert visit.injected == {"imgs": 0, "scripts": 0, "iframes": 0, "svgHandlers": 0, "jsLinks": 0, "handlers": 0}, visit.injected
    assert not visit.dialogs
    assert not visit.page_errors
