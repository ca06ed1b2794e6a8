import re

from twinplane.server.common import credential


def test_format_matches_the_contract() -> None:
    cred = credential.generate("tpk")
    assert re.fullmatch(r"tpk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", cred.value)
    assert credential.parse(cred.value, "tpk") == cred.lookup
    assert cred.last4 == cred.value[-4:]


def test_each_key_is_fresh() -> None:
    values = {credential.generate("tpk").value for _ in range(200)}
    assert len(values) == 200


def test_parse_refuses_malformed_and_other_prefixes() -> None:
    good = credential.generate("tpk").value
    for bad in ["", "tpk_", good + "x", good[:-1], good.replace("tpk", "tps", 1), "Bearer " + good,
                good.upper(), None, "tpk_ABCDEFGHIJKL_" + good[-43:]]:
        assert credential.parse(bad, "tpk") is None  # type: ignore[arg-type]


def test_digest_is_keyed_and_matches_in_constant_time() -> None:
    pepper_a, pepper_b = b"a" * 32, b"b" * 32
    value = credential.generate("tps").value
    stored = credential.digest(pepper_a, value)
    assert value not in stored and len(stored) == 64
    assert credential.matches(pepper_a, value, stored)
    assert not credential.matches(pepper_b, value, stored)
    assert not credential.matches(pepper_a, value[:-1] + ("A" if value[-1] != "A" else "B"), stored)


def test_pepper_must_be_base64_of_32_bytes() -> None:
    import base64

    import pytest

    assert len(credential.decode_pepper(base64.b64encode(b"x" * 32).decode())) == 32
    for bad in ["", "not base64!", base64.b64encode(b"short").decode()]:
        with pytest.raises(ValueError):
            credential.decode_pepper(bad)
