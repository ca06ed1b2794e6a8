"""SDK test fixtures: a wire server on 127.0.0.1 and an SDK state pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twinplane.sdk import state as state_mod
from twinplane.sdk.config import Config

from .wire_server import API_KEY, WireServer


@pytest.fixture
def server() -> Iterator[WireServer]:
    srv = WireServer().start()
    try:
        yield srv
    finally:
        srv.stop()


def make_state(url: str, **kw) -> state_mod.State:
    base = dict(api_key=API_KEY, app_url=url, flush_interval=0.02, max_backoff=0.05, atexit_flush=False,
                http_timeout=5.0, prompt_cache_dir="off")
    cfg = Config(**{**base, **kw})
    return state_mod.State(cfg)


@pytest.fixture
def sdk(server: WireServer) -> Iterator[state_mod.State]:
    """The default SDK state, logged into ``server``; replaced by an unconfigured one afterwards."""
    st = state_mod.set_state(make_state(server.url))
    try:
        yield st
    finally:
        st.delivery.close(timeout=2)
        state_mod.set_state(state_mod.State(Config(api_key=None, atexit_flush=False)))
