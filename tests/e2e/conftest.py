"""Browser tests: both planes as real processes on two origins, driven by headless Chromium.

The page is served from ``http://localhost:<control>`` while the data plane listens on
``http://127.0.0.1:<data>``: different hosts and ports, so every data request is a real
cross-origin request that needs the data plane's CORS and the browser token.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from e2e.demo_data import load_demo
from e2e.hostile_data import load_hostile
from e2e.seed import Seeder
from support.planes import SplitPlanes

REPO = Path(__file__).resolve().parents[2]
STATIC_INDEX = REPO / "src" / "twinplane" / "server" / "control_plane" / "static" / "index.html"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]



@dataclass
class World:
    planes: SplitPlanes
    ui_url: str
    demo: dict[str, Any]
    hostile: dict[str, Any]

    @property
    def org_id(self) -> str:
        return self.planes.state["org_id"]

    def project_url(self, project: dict[str, Any], path: str = "") -> str:
        return f"{self.ui_url}/o/{self.org_id}/p/{project['id']}{path}"


def load_sdk_demo(planes: SplitPlanes) -> None:
    """The project ``twinplane up --demo`` loads, written by the real SDK in a child process
    (the SDK keeps process-wide state that must not leak into other tests)."""
    code = ("import sys; from twinplane.sdk.demo import load_demo; "
            "load_demo(api_key=sys.argv[1], app_url=sys.argv[2], org_name=sys.argv[3])")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    subprocess.run([sys.executable, "-c", code, planes.api_key, planes.control_url, planes.state["org_name"]],
                   check=True, capture_output=True, timeout=120, env=env)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Package scope: the planes stop when the browser tests are done, not at the end of the run.
@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if chromium_path() is None:
        pytest.skip("Debian chromium is not installed (make browser)")
    if not STATIC_INDEX.is_file() or "/assets/index-" not in STATIC_INDEX.read_text():
        pytest.fail("the web UI is not built: run `make ui` (cd ui && npm ci && npm run build)")
    planes = SplitPlanes(tmp_path_factory.mktemp("ui-planes"))
    planes.start_control()
    planes.start_data()
    try:
        seeder = Seeder(planes.data_url, planes.api_key)
        demo = load_demo(seeder)
        hostile = load_hostile(seeder)
        seeder.close()
        load_sdk_demo(planes)
        ui_url = planes.control_url.replace("127.0.0.1", "localhost")
        assert ui_url != planes.control_url, "the UI must be served from another host than the data plane"
        yield World(planes, ui_url, demo, hostile)
    finally:
        planes.stop()


# Package scope, not session: Playwright's sync API keeps an event loop marked running on
# the main thread while it is open, which breaks every later test that calls asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # CI machines are shared and slow at times: wait as long for assertions as for actions.
    expect.set_options(timeout=15_000)

    path = chromium_path()
    if path is None:
        pytest.skip("Debian chromium is not installed (make browser)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="package")
def signed_in(browser: Any, world: World) -> dict[str, Any]:
    """Sign in once through the real form; later pages reuse the session cookie."""
    ctx = browser.new_context(viewport={"width": 1360, "height": 860})
    page = ctx.new_page()
    page.goto(f"{world.ui_url}/login")
    page.fill("input[name=email]", world.planes.state["admin_email"])
    page.fill("input[name=password]", world.planes.state["admin_password"])
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=project-list]")
    state = ctx.storage_state()
    ctx.close()
    return state


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, signed_in: dict[str, Any]) -> Iterator[Any]:
    ctx = browser.new_context(storage_state=signed_in, viewport={"width": 1360, "height": 860})
    ctx.set_default_timeout(15_000)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    if request.node.stash.get(_FAILED, False):
        screenshot(pg, f"FAILED-{request.node.name}")  # what the page showed when the test failed
    ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
