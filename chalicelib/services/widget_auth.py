"""Admitting a widget request: publishable key, origin, tenant, feature, limits, identity.

Order matters, and is what makes CORS safe:

1. ``resolve`` — the ``X-Widget-Key`` names an existing, unrevoked, unexpired key and the
   request's ``Origin`` is on that key's allow-list. Until this passes, no response carries CORS
   headers, so a page on any other origin cannot read even the error.
2. ``admit`` — the tenant is active, the key enables the feature, the per-key and per-client-IP
   rate limits have room, and an identity token (when sent or required) verifies. Its errors are
   sent with CORS headers, so the widget can show them (``Retry-After`` included).

Keys, tenants and decrypted identity secrets are cached per container for
``AUTH_CACHE_SECONDS`` (as secret API keys are): a request costs one BatchGetItem when the cache
is cold and none when warm, plus one UpdateItem per rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain import clock
from chalicelib.domain.api_keys import parse_publishable_key
from chalicelib.domain.errors import Forbidden, RateLimited, Unauthorized
from chalicelib.domain.rate_limits import Limit
from chalicelib.domain.widget_identity import Identity, verify_identity_token
from chalicelib.domain.widget_origins import OriginError, normalise_origin, origin_allowed

FEATURES = ("contact", "tickets", "warranty", "registration", "feedback")


@dataclass(frozen=True)
class WidgetKeyState:
    """What admission needs to know about a key and its tenant (cached)."""

    exists: bool
    usable: bool
    allowed_origins: tuple[str, ...]
    allow_subdomains: bool
    features: frozenset[str]
    tenant_status: str | None
    loaded_at: float


@dataclass(frozen=True)
class WidgetAccess:
    """A request whose key and origin check out (step 1)."""

    tenant_id: str
    key_id: str
    origin: str
    state: WidgetKeyState


@dataclass(frozen=True)
class WidgetPrincipal:
    """An admitted widget caller: the tenant, the key, the origin and maybe a customer."""

    tenant_id: str
    key_id: str
    origin: str
    client: str
    identity: Identity | None


_keys: dict[tuple[str, str], WidgetKeyState] = {}
_secrets: dict[tuple[str, str], tuple[bytes | None, float]] = {}
_lock = Lock()
_MAX_CACHED = 4096


def forget(tenant_id: str) -> None:
    """Drop a tenant's cached keys and secrets (after a change made by this container)."""
    with _lock:
        for cache in (_keys, _secrets):
            for cached in [k for k in cache if k[0] == tenant_id]:
                del cache[cached]


def clear_cache() -> None:
    """Drop everything cached (tests)."""
    with _lock:
        _keys.clear()
        _secrets.clear()


def _bounded_put(cache: dict[tuple[str, str], Any], key: tuple[str, str], value: Any) -> None:
    with _lock:
        if len(cache) >= _MAX_CACHED:
            cache.clear()
        cache[key] = value


def _usable(revoked_at: datetime | None, expires_at: datetime | None) -> bool:
    if revoked_at is not None:
        return False
    return expires_at is None or expires_at > clock.now()


def _load(tenant_id: str, key_id: str, kid: str | None) -> WidgetKeyState:
    now = time.monotonic()
    ttl = get_settings().auth_cache_seconds
    with _lock:
        cached = _keys.get((tenant_id, key_id))
        secret_cached = _secrets.get((tenant_id, kid)) if kid else None
    if (
        cached
        and now - cached.loaded_at < ttl
        and (not kid or (secret_cached and secret_cached[1] > now))
    ):
        return cached
    from chalicelib.store import widget as store

    tenant, item, secret = store.load_for_request(tenant_id, key_id, kid)
    state = WidgetKeyState(
        exists=item is not None,
        usable=bool(item and _usable(item.revoked_at, item.expires_at)),
        allowed_origins=tuple(str(o) for o in item.allowed_origins or ()) if item else (),
        allow_subdomains=bool(item and item.allow_subdomains),
        features=frozenset(item.features) if item and item.features else frozenset(FEATURES),
        tenant_status=tenant.status if tenant else None,
        loaded_at=now,
    )
    _bounded_put(_keys, (tenant_id, key_id), state)
    if kid:
        plain = None
        if secret is not None and secret.revoked_at is None:
            from chalicelib.services.widget_secrets import decrypt_secret

            plain = decrypt_secret(tenant_id, kid, secret.ciphertext)
        _bounded_put(_secrets, (tenant_id, kid), (plain, now + ttl))
    return state


def key_state(tenant_id: str, key_id: str) -> WidgetKeyState:
    """The (cached) state of a key that was admitted on this request."""
    return _load(tenant_id, key_id, None)


def resolve(widget_key: str | None, origin: str | None) -> WidgetAccess:
    """Step 1: the key exists and is usable, and the origin is on its allow-list."""
    if not widget_key:
        raise Unauthorized("send the publishable key in 'X-Widget-Key'", code="missing_widget_key")
    parsed = parse_publishable_key(widget_key.strip())
    if parsed is None:
        raise Unauthorized("the widget key is not valid", code="invalid_widget_key")
    tenant_id, key_id = parsed
    state = _load(tenant_id, key_id, None)
    if not state.exists or state.tenant_status is None:
        raise Unauthorized("the widget key is not valid", code="invalid_widget_key")
    if not state.usable:
        raise Unauthorized(
            "the widget key has been revoked or has expired", code="widget_key_revoked"
        )
    try:
        normalised = normalise_origin(origin or "")
    except OriginError as exc:
        raise Forbidden(
            "widget requests must come from a web page on an allowed origin",
            code="origin_not_allowed",
        ) from exc
    if not origin_allowed(
        normalised, state.allowed_origins, allow_subdomains=state.allow_subdomains
    ):
        raise Forbidden(
            "this origin is not on the widget key's allow-list", code="origin_not_allowed"
        )
    return WidgetAccess(tenant_id=tenant_id, key_id=key_id, origin=origin or "", state=state)


def client_fingerprint(source_ip: str | None) -> str:
    """A keyed hash of the client IP: counters never store the address itself."""
    from chalicelib.services.signing import derived_key

    digest = hmac.new(derived_key("widget-client-ip"), (source_ip or "").encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def _limits(submission: bool) -> list[tuple[Limit, str]]:
    s = get_settings()
    found = [
        (Limit("key", s.widget_key_requests_per_minute, 60), "key"),
        (Limit("ip", s.widget_ip_requests_per_minute, 60), "ip"),
    ]
    if submission:
        found.append((Limit("submit", s.widget_ip_submissions_per_hour, 3600), "ip"))
    return found


def enforce_rate_limits(access: WidgetAccess, client: str, *, submission: bool) -> None:
    """Count this request against the key's and the client's windows; 429 when one is full."""
    from chalicelib.store.rate_limits import count_hit

    now = clock.epoch()
    for limit, subject_kind in _limits(submission):
        subject = access.key_id if subject_kind == "key" else client
        hits = count_hit(
            access.tenant_id,
            limit.name,
            subject,
            limit.window_start(now),
            limit.expires_at(now),
        )
        if hits > limit.count:
            raise RateLimited(
                f"too many requests ({limit.name} limit: {limit.count} per "
                f"{limit.window_seconds} s); retry later",
                code="rate_limited",
                retry_after=limit.retry_after(now),
            )


def verify_identity(access: WidgetAccess, token: str) -> Identity:
    """The customer identity in a tenant-signed JWT (401 when anything is off)."""
    s = get_settings()

    def secret_for(kid: str) -> bytes | None:
        _load(access.tenant_id, access.key_id, kid)
        with _lock:
            found = _secrets.get((access.tenant_id, kid))
        return found[0] if found else None

    return verify_identity_token(
        token,
        secret_for,
        now=clock.epoch(),
        max_skew_seconds=s.widget_jwt_clock_skew_seconds,
        max_lifetime_seconds=s.widget_jwt_max_lifetime_seconds,
    )


def admit(
    access: WidgetAccess,
    *,
    feature: str | None,
    identity_token: str | None,
    identity_required: bool,
    source_ip: str | None,
    submission: bool,
) -> WidgetPrincipal:
    """Step 2: tenant active, feature enabled, rate limits, identity (see module docstring)."""
    if access.state.tenant_status != "active":
        raise Forbidden("this support widget is not available", code="tenant_unavailable")
    if feature and feature not in access.state.features:
        raise Forbidden(
            f"the '{feature}' feature is not enabled for this widget key", code="feature_disabled"
        )
    client = client_fingerprint(source_ip)
    enforce_rate_limits(access, client, submission=submission)
    identity = None
    if identity_token:
        identity = verify_identity(access, identity_token)
    elif identity_required:
        raise Unauthorized(
            "sign the customer in: send a tenant-signed identity token as 'Authorization: Bearer'",
            code="identity_required",
        )
    return WidgetPrincipal(
        tenant_id=access.tenant_id,
        key_id=access.key_id,
        origin=access.origin,
        client=client,
        identity=identity,
    )
