import logging

from twinplane.server.common import credential
from twinplane.server.common.redaction import RedactingFilter, redact


def test_credentials_are_masked_but_their_public_prefix_stays() -> None:
    key, token = credential.generate("tpk"), credential.generate("tps")
    line = redact(f"login with {key.value} from dp {token.value}")
    assert key.value not in line and token.value not in line
    assert f"tpk_{key.lookup}_[redacted]" in line and f"tps_{token.lookup}_[redacted]" in line


def test_bearer_jwt_and_password_pairs_are_masked() -> None:
    jwt_like = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
    line = redact(f'Authorization: Bearer abcdefghijkl token={jwt_like} {{"password": "hunter22"}} code_verifier=xyzxyzxyz')
    for secret in ("abcdefghijkl", jwt_like, "hunter22", "xyzxyzxyz"):
        assert secret not in line
    assert redact("nothing to hide here") == "nothing to hide here"


def test_the_filter_rewrites_records() -> None:
    key = credential.generate("tpk").value
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "key %s refused", (key,), None)
    assert RedactingFilter().filter(record)
    assert key not in record.getMessage()


def test_credentials_in_query_strings_are_masked() -> None:
    line = ('127.0.0.1:50000 - "GET /api/v1/auth/oidc/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj '
            'HTTP/1.1" 302')
    cleaned = redact(line)
    assert "SplxlOBeZQQYbYS6WxSbIA" not in cleaned and "af0ifjsldkj" not in cleaned
    assert cleaned.startswith('127.0.0.1:50000 - "GET /api/v1/auth/oidc/callback?code=[redacted]&state=[redacted] ')
    assert cleaned.endswith('HTTP/1.1" 302')
    url = "/x?limit=10&access_token=at123&X-Amz-Signature=deadbeef&api-key=k1&sig=s1&session_id=ss1&page=2"
    cleaned = redact(url)
    for secret in ("at123", "deadbeef", "k1", "s1", "ss1"):
        assert secret not in cleaned
    assert "limit=10" in cleaned and "page=2" in cleaned


def test_token_names_with_a_prefix_are_masked() -> None:
    line = '{"id_token": "abc.def", "refresh_token":"r-123"} csrf_token=c-456 max_tokens=100'
    cleaned = redact(line)
    for secret in ("abc.def", "r-123", "c-456"):
        assert secret not in cleaned
    assert "max_tokens=100" in cleaned
