"""Authentication of platform and secret API keys, with a short warm-container cache.

A secret key is checked with one BatchGetItem (tenant record + key record) and the result is
cached for ``AUTH_CACHE_SECONDS`` (default 60 s). So a revoked key or a suspended tenant is
refused by every container within that time, and at once by the container that made the change.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from threading import Lock
from typing import Literal

from chalicelib.config import get_settings, platform_api_key
from chalicelib.domain.api_keys import grants, parse_secret_key, secret_matches
from chalicelib.domain.errors import Forbidden, Unauthorized
from chalicelib.store import tenants as store


@dataclass(frozen=True)
class Principal:
    """Who is calling: a tenant's API key, or the platform operator."""

    kind: Literal["secret", "platform"]
    tenant_id: str | None
    key_id: str | None
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        """Refuse with 403 unless this principal holds ``scope``."""
        if not grants(self.scopes, scope):
            raise Forbidden(f"this API key lacks the '{scope}' scope", code="insufficient_scope")


PLATFORM = Principal(kind="platform", tenant_id=None, key_id=None, scopes=frozenset({"platform"}))


@dataclass(frozen=True)
class _CachedKey:
    secret_hash: str
    scopes: frozenset[str]
    revoked: bool
    tenant_status: str | None  # None: the tenant does not exist
    expires: float


_cache: dict[tuple[str, str], _CachedKey] = {}
_lock = Lock()


def forget_key(tenant_id: str, key_id: str | None = None) -> None:
    """Drop cached keys of a tenant (all of them when ``key_id`` is None)."""
    with _lock:
        for cached in list(_cache):
            if cached[0] == tenant_id and key_id in (None, cached[1]):
                del _cache[cached]


def clear_cache() -> None:
    """Drop every cached key (tests)."""
    with _lock:
        _cache.clear()


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or 401."""
    if not authorization:
        raise Unauthorized(
            "send an API key as 'Authorization: Bearer <key>'", code="missing_credentials"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "the Authorization header must be 'Bearer <key>'", code="invalid_credentials"
        )
    return token.strip()


def authenticate_platform(authorization: str | None) -> Principal:
    """The platform operator, if the bearer token is the platform key."""
    token = bearer_token(authorization)
    expected = hashlib.sha256(platform_api_key().encode()).digest()
    if not hmac.compare_digest(hashlib.sha256(token.encode()).digest(), expected):
        raise Unauthorized("the platform key is not valid", code="invalid_api_key")
    return PLATFORM


def _load(tenant_id: str, key_id: str) -> _CachedKey:
    now = time.monotonic()
    with _lock:
        cached = _cache.get((tenant_id, key_id))
    if cached and cached.expires > now:
        return cached
    tenant, api_key = store.get_tenant_and_key(tenant_id, key_id)
    loaded = _CachedKey(
        secret_hash=api_key.secret_hash if api_key else "",
        scopes=frozenset(api_key.scopes or ()) if api_key else frozenset(),
        revoked=bool(api_key and api_key.revoked_at),
        tenant_status=tenant.status if tenant else None,
        expires=now + get_settings().auth_cache_seconds,
    )
    with _lock:
        _cache[(tenant_id, key_id)] = loaded
    return loaded


def authenticate_secret(authorization: str | None) -> Principal:
    """The tenant principal of a secret key; 401 for bad keys, 403 for suspended tenants."""
    token = bearer_token(authorization)
    parsed = parse_secret_key(token)
    invalid = Unauthorized("the API key is not valid", code="invalid_api_key")
    if parsed is None:
        raise invalid
    record = _load(parsed.tenant_id, parsed.key_id)
    # Compare even when the record is missing, so timing does not reveal which keys exist.
    matches = secret_matches(parsed.secret, record.secret_hash or "0" * 64)
    if not matches or not record.secret_hash or record.tenant_status is None:
        raise invalid
    if record.revoked:
        raise Unauthorized("the API key has been revoked", code="api_key_revoked")
    if record.tenant_status == "suspended":
        raise Forbidden("the tenant account is suspended", code="tenant_suspended")
    if record.tenant_status != "active":
        raise Forbidden("the tenant account is being closed", code="tenant_offboarding")
    return Principal(
        kind="secret", tenant_id=parsed.tenant_id, key_id=parsed.key_id, scopes=record.scopes
    )
