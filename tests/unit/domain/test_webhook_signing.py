"""Webhook signatures (HMAC-SHA256 over timestamp + body, replay window) and target rules."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.webhook_signing import forbidden_address, parse_target, sign, verify

SECRET = b"whsec_test"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BODY = b'{"type":"followup.due"}'


def test_signature_covers_timestamp_and_body() -> None:
    header = sign(SECRET, int(NOW.timestamp()), BODY)
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")
    assert verify(SECRET, header, BODY, NOW)
    assert not verify(SECRET, header, BODY + b" ", NOW)
    assert not verify(b"other", header, BODY, NOW)
    # Re-dating an old signature breaks it: the timestamp is inside the signed text.
    forged = header.replace(f"t={int(NOW.timestamp())}", f"t={int(NOW.timestamp()) + 60}")
    assert not verify(SECRET, forged, BODY, NOW)


def test_replay_window_is_five_minutes_either_way() -> None:
    header = sign(SECRET, int(NOW.timestamp()), BODY)
    assert verify(SECRET, header, BODY, NOW + timedelta(minutes=5))
    assert not verify(SECRET, header, BODY, NOW + timedelta(minutes=5, seconds=1))
    assert not verify(SECRET, header, BODY, NOW - timedelta(minutes=5, seconds=1))


def test_any_of_several_signatures_may_match_during_rotation() -> None:
    mine = sign(SECRET, int(NOW.timestamp()), BODY)
    other = sign(b"old", int(NOW.timestamp()), BODY).split(",")[1]
    assert verify(SECRET, f"{mine},{other}", BODY, NOW)
    assert not verify(SECRET, "t=abc,v1=00", BODY, NOW)
    assert not verify(SECRET, "", BODY, NOW)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # instance metadata
        "169.254.170.2",  # container credentials
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address under test, nothing binds to it
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::",
    ],
)
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not forbidden_address(ipaddress.ip_address(address))


def test_targets_are_https_without_credentials() -> None:
    target = parse_target("https://hooks.example.com:8443/in?x=1")
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/in?x=1")
    for url in (
        "http://hooks.example.com/",
        "https://u:p@hooks.example.com/",
        "https://127.0.0.1/",
        "https://localhost/",
        "https://hooks.example.com/#frag",
        "https://hooks.example.com:99999/",
        "not a url",
    ):
        with pytest.raises(Invalid):
            parse_target(url)
    # The local stack allows plain http to loopback (its demo receiver).
    assert parse_target("http://127.0.0.1:9000/x", allow_http=True).port == 9000
