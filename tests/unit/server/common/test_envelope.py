import base64

import pytest

from twinplane.server.common.envelope import DecryptionError, KeyRing, Sealed, generate_key_entry


def test_round_trip_with_fresh_nonces() -> None:
    ring = KeyRing.parse(generate_key_entry("1"))
    a = ring.encrypt(b"sk-secret", b"org:1")
    b = ring.encrypt(b"sk-secret", b"org:1")
    assert a.nonce != b.nonce and len(a.nonce) == 12 and a.ciphertext != b.ciphertext
    assert b"sk-secret" not in a.ciphertext
    assert ring.decrypt(a, b"org:1") == b"sk-secret"


def test_flipped_bit_and_wrong_associated_data_fail() -> None:
    ring = KeyRing.parse(generate_key_entry("1"))
    sealed = ring.encrypt(b"sk-secret", b"org:1")
    flipped = bytearray(sealed.ciphertext)
    flipped[0] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt(Sealed(sealed.key_version, sealed.nonce, bytes(flipped)), b"org:1")
    with pytest.raises(DecryptionError):
        ring.decrypt(sealed, b"org:2")


def test_rotation_keeps_old_values_readable() -> None:
    old = generate_key_entry("1")
    sealed = KeyRing.parse(old).encrypt(b"v", b"ad")
    rotated = KeyRing.parse(generate_key_entry("2") + "," + old)
    assert rotated.current_version == "2"
    assert rotated.decrypt(sealed, b"ad") == b"v"
    assert rotated.encrypt(b"v", b"ad").key_version == "2"
    with pytest.raises(DecryptionError):
        KeyRing.parse(generate_key_entry("2")).decrypt(sealed, b"ad")


@pytest.mark.parametrize("spec", ["", "1", "1:notbase64!", "1:" + base64.b64encode(b"short").decode(),
                                  "x y:" + base64.b64encode(b"k" * 32).decode(),
                                  "1:" + base64.b64encode(b"k" * 32).decode() + ",1:" + base64.b64encode(b"j" * 32).decode()])
def test_invalid_rings_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        KeyRing.parse(spec)
