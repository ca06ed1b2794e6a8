"""The control plane served under a path (``https://example.com/twinplane/``, as behind a proxy):
the UI's assets, its API calls, client-side routes and the sign-in redirect all stay under it, and
the browser token it mints is accepted by the data plane (JWT issuer = the public URL, path included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from e2e.conftest import screenshot
from support.planes import SplitPlanes

BASE = "/twinplane"


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SplitPlanes]:
    with SplitPlanes(tmp_path_factory.mktemp("prefixed-planes"), control_path=BASE).running() as planes:
        yield planes


def test_the_ui_signs_in_navigates_and_reaches_the_data_plane_under_a_base_path(browser: Any,
                                                                                 prefixed: SplitPlanes) -> None:
    base = prefixed.control_url.replace("127.0.0.1", "localhost")
    assert base.endswith(BASE)
    origin = base.removesuffix(BASE)
    org = prefixed.state["org_id"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    on_control: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: on_control.append(r.url) if r.url.startswith(origin + "/") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}/o/{org}")
        page.wait_for_url(re.compile(rf"{BASE}/login\?next="))
        page.fill("input[name=email]", prefixed.state["admin_email"])
        page.fill("input[name=password]", prefixed.state["admin_password"])
        page.click("button[type=submit]")
        page.get_by_text("Create your first project").wait_for()
        assert page.url == f"{base}/o/{org}"
        page.get_by_placeholder("New project name").fill("under-a-path")
        page.get_by_role("button", name="Create project").click()  # a write: session cookie and CSRF header
        # the new project's experiments: a client-side route, and the first call to the data plane
        page.wait_for_url(re.compile(rf"{BASE}/o/{org}/p/[^/]+/experiments$"))
        page.get_by_text("under-a-path").first.wait_for()
        # a page load deep under the base, then the data plane reached with a token this control plane minted
        page.goto(f"{base}/o/{org}/settings/data-plane")
        page.get_by_test_id("check-connection").click()
        page.get_by_text("Connected", exact=True).wait_for()
        screenshot(page, "base-path-data-plane")
    finally:
        ctx.close()
    assert not errors, errors
    outside = [u for u in on_control if not u.startswith(base + "/")]
    assert on_control and not outside, outside  # assets, API calls and pages: all under the base path
