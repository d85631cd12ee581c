"""Secret and publishable key formats, hashing and scopes (pure).

A secret key reads ``sk_<tenant id>_<key id>_<secret>``: the tenant and key ids locate the record
in one read, the 48-hex-character secret is compared by SHA-256 digest in constant time. Because
the secret is random (192 bits), a fast hash is sufficient: there is nothing to brute-force.
A publishable widget key reads ``pk_<tenant id>_<key id>``: it is public and bound to origins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from chalicelib.domain.ids import is_id

RESOURCES = (
    "customers",
    "tickets",
    "products",
    "warranties",
    "service",
    "surveys",
    "feedback",
    "followups",
    "reports",
    "settings",
    "webhooks",
)
ADMIN = "admin"
# Every scope a key can be given, in the order documents list them: the one list both the
# authorisation (``grants``) and the API key schema are built from.
SCOPES: tuple[str, ...] = (ADMIN, *(f"{r}:{a}" for r in RESOURCES for a in ("read", "write")))
ALL_SCOPES = frozenset(SCOPES)


@dataclass(frozen=True)
class ParsedSecretKey:
    """The parts of a secret key string."""

    tenant_id: str
    key_id: str
    secret: str


def new_secret() -> str:
    """A fresh random secret part."""
    return secrets.token_hex(24)


def format_secret_key(tenant_id: str, key_id: str, secret: str) -> str:
    """The full secret key string shown once to its owner."""
    return f"sk_{tenant_id}_{key_id}_{secret}"


def format_publishable_key(tenant_id: str, key_id: str) -> str:
    """The publishable widget key string."""
    return f"pk_{tenant_id}_{key_id}"


def parse_secret_key(value: str) -> ParsedSecretKey | None:
    """Split a secret key, or None if it is not shaped like one."""
    parts = value.split("_")
    if len(parts) != 4 or parts[0] != "sk":
        return None
    _, tenant_id, key_id, secret = parts
    if not (is_id(tenant_id) and is_id(key_id)) or len(secret) != 48:
        return None
    return ParsedSecretKey(tenant_id, key_id, secret)


def parse_publishable_key(value: str) -> tuple[str, str] | None:
    """(tenant id, key id) of a publishable key, or None."""
    parts = value.split("_")
    if len(parts) != 3 or parts[0] != "pk" or not (is_id(parts[1]) and is_id(parts[2])):
        return None
    return parts[1], parts[2]


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret with a stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def grants(scopes: frozenset[str], required: str) -> bool:
    """Whether ``scopes`` allow ``required``: admin allows all, write implies read."""
    if ADMIN in scopes or required in scopes:
        return True
    resource, _, action = required.partition(":")
    return action == "read" and f"{resource}:write" in scopes
