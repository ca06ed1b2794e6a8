"""SDK configuration: environment, overrides, redaction, and the documentation table."""

from __future__ import annotations

from pathlib import Path

from twinplane.sdk.config import Config, documented_variables
from twinplane.sdk.redaction import mask_key
from twinplane.sdk.retry import RetryPolicy, retry_after_seconds

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sdk.md"


def test_environment_and_overrides() -> None:
    env = {"TWINPLANE_API_KEY": "tpk_abc_def\n", "TWINPLANE_APP_URL": "http://cp:8000/", "TWINPLANE_QUEUE_SIZE": "7",
           "TWINPLANE_FLUSH_INTERVAL": "bad", "TWINPLANE_DISABLE_ATEXIT_FLUSH": "1"}
    cfg = Config.from_env(env, org_name="acme")
    assert cfg.api_key == "tpk_abc_def" and cfg.app_url == "http://cp:8000" and cfg.queue_size == 7
    assert cfg.flush_interval == 0.5 and cfg.atexit_flush is False and cfg.org_name == "acme"
    assert Config.from_env(env, app_url="http://other").app_url == "http://other"
    assert "tpk_abc_def" not in repr(cfg)


def test_every_variable_is_documented() -> None:
    text = DOCS.read_text()
    for var, _default, meaning in documented_variables():
        assert f"`{var}`" in text and meaning in text, var


def test_redaction_and_retry_policy() -> None:
    assert mask_key("tpk_abcdefghijkl_secretsecret") == "tpk_***et" and mask_key(None) == "<none>"
    p = RetryPolicy(retries=3, base=0.5, max_backoff=4)
    assert p.should_retry(None) and p.should_retry(429) and p.should_retry(503) and not p.should_retry(400)
    assert p.delay(0, "2") == 2 and p.delay(0, "120") == 4 and 0.375 <= p.delay(0) <= 0.625
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0 and retry_after_seconds("x") is None
