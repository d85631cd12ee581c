"""Fixed-window arithmetic and the at-rest encryption of widget identity secrets."""

from __future__ import annotations

import base64
import os

from chalicelib.domain import secret_box
from chalicelib.domain.rate_limits import Limit


def test_fixed_windows() -> None:
    limit = Limit("ip", 60, 60)
    assert limit.window_start(1_000_000_030.5) == 1_000_000_020
    assert limit.retry_after(1_000_000_030.5) == 50
    assert limit.retry_after(1_000_000_079.9) == 1  # never 0: the client must wait
    assert limit.expires_at(1_000_000_030) == 1_000_000_140
    hourly = Limit("submit", 20, 3600)
    assert hourly.window_start(7199) == 3600
    assert hourly.retry_after(7199) == 1


def test_secret_box_round_trip_and_binding() -> None:
    key = os.urandom(32)
    token = secret_box.encrypt(key, b"wsec_abc", b"T1/K1")
    assert b"wsec_abc" not in token.encode()
    assert secret_box.decrypt(key, token, b"T1/K1") == b"wsec_abc"
    assert secret_box.encrypt(key, b"wsec_abc", b"T1/K1") != token  # fresh nonce each time
    assert secret_box.decrypt(key, token, b"T2/K1") is None  # another tenant's record
    assert secret_box.decrypt(os.urandom(32), token, b"T1/K1") is None  # another app secret
    raw = bytearray(base64.urlsafe_b64decode(token))
    for position in (1, 20, len(raw) - 1):  # nonce, ciphertext, tag
        edited = bytearray(raw)
        edited[position] ^= 0x01
        forged = base64.urlsafe_b64encode(bytes(edited)).decode()
        assert secret_box.decrypt(key, forged, b"T1/K1") is None
    assert secret_box.decrypt(key, "not base64!", b"T1/K1") is None
    assert secret_box.decrypt(key, "", b"T1/K1") is None
