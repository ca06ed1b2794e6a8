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
