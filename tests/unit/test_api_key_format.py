from __future__ import annotations

from chalicelib.domain.api_keys import (
    format_publishable_key,
    format_secret_key,
    grants,
    hash_secret,
    new_secret,
    parse_publishable_key,
    parse_secret_key,
    secret_matches,
)

T = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
K = "01BX5ZZKBKACTAV9WEVGEMMVRZ"


def test_secret_key_round_trip_and_hash() -> None:
    secret = new_secret()
    parsed = parse_secret_key(format_secret_key(T, K, secret))
    assert parsed is not None
    assert (parsed.tenant_id, parsed.key_id, parsed.secret) == (T, K, secret)
    assert secret_matches(secret, hash_secret(secret))
    assert not secret_matches(secret[:-1] + "x", hash_secret(secret))


def test_malformed_keys_are_rejected() -> None:
    secret = new_secret()
    for value in (
        "",
        "sk_",
        f"pk_{T}_{K}",
        f"sk_{T}_{K}",
        f"sk_{T.lower()}_{K}_{secret}",
        f"sk_{T}_{K}_{secret}_x",
        f"sk_{T}_{K}_{secret[:-1]}",
    ):
        assert parse_secret_key(value) is None, value
    assert parse_publishable_key(format_publishable_key(T, K)) == (T, K)
    assert parse_publishable_key(f"pk_{T}") is None


def test_scope_rules() -> None:
    assert grants(frozenset({"admin"}), "tickets:write")
    assert grants(frozenset({"tickets:write"}), "tickets:read")
    assert not grants(frozenset({"tickets:read"}), "tickets:write")
    assert not grants(frozenset({"customers:write"}), "tickets:read")
