"""Publishable widget keys: create, list, read, change (version-conditional), rotate, revoke.

Several keys may be active at once (one per site, or old and new during a rotation). Rotation
creates a successor with the same settings and lets the old key expire after a grace period, so
pages still serving the old snippet keep working until they are redeployed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain import clock
from chalicelib.domain.api_keys import format_publishable_key
from chalicelib.domain.errors import (
    Conflict,
    FieldError,
    Invalid,
    NotFound,
    PreconditionRequired,
    VersionConflict,
)
from chalicelib.domain.ids import is_id, new_id
from chalicelib.domain.widget_origins import OriginError, normalise_allowed
from chalicelib.schemas.widget import (
    WidgetKeyCreate,
    WidgetKeyDetails,
    WidgetKeyList,
    WidgetKeyRotate,
    WidgetKeyUpdate,
)
from chalicelib.services import widget_auth
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import tenants as tenant_store
from chalicelib.store import widget as store
from chalicelib.store.base import utcnow


def _status(item: tenant_store.WidgetKeyItem) -> str:
    if item.revoked_at is not None:
        return "revoked"
    if item.expires_at is not None:
        return "expired" if item.expires_at <= clock.now() else "expiring"
    return "active"


def to_widget_key(item: tenant_store.WidgetKeyItem) -> WidgetKeyDetails:
    """Response model of a widget key record."""
    return WidgetKeyDetails(
        id=item.key_id,
        key=format_publishable_key(item.tenant_id, item.key_id),
        name=item.name,
        allowed_origins=[str(o) for o in item.allowed_origins or []],
        allow_subdomains=bool(item.allow_subdomains),
        features=sorted(item.features or widget_auth.FEATURES),  # type: ignore[arg-type]
        status=_status(item),  # type: ignore[arg-type]
        created_at=item.created_at,
        updated_at=item.updated_at,
        expires_at=item.expires_at,
        replaced_by=item.replaced_by,
        revoked_at=item.revoked_at,
        version=int(item.version),
    )


def normalise_origins(
    origins: list[str], *, allow_subdomains: bool, field: str = "allowed_origins"
) -> list[str]:
    """Canonical, de-duplicated allow-list entries; 422 with the index of each bad entry."""
    found: list[str] = []
    problems: list[FieldError] = []
    for index, origin in enumerate(origins):
        try:
            normalised = normalise_allowed(origin, allow_subdomains=allow_subdomains)
        except OriginError as exc:
            problems.append(FieldError(f"{field}.{index}", str(exc), "invalid_origin"))
            continue
        if normalised not in found:
            found.append(normalised)
    if problems:
        raise Invalid(
            "some allowed origins are not valid", code="validation_failed", errors=problems
        )
    return found


def create_widget_key(tenant_id: str, request: WidgetKeyCreate) -> WidgetKeyDetails:
    """Create a key with its allow-list and features."""
    origins = normalise_origins(request.allowed_origins, allow_subdomains=request.allow_subdomains)
    item = tenant_store.new_widget_key_item(
        tenant_id,
        new_id(),
        name=request.name,
        allowed_origins=origins,
        allow_subdomains=request.allow_subdomains,
        features=request.features,
    )
    store.create_widget_key(item)
    return to_widget_key(item)


def list_widget_keys(tenant_id: str, limit: int | None, cursor: str | None) -> WidgetKeyList:
    """One page of the tenant's widget keys (all states)."""
    size, start = page_request(tenant_id, "widget-keys", limit, cursor)
    page = store.list_widget_keys(tenant_id, size, start)
    return WidgetKeyList(
        items=[to_widget_key(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "widget-keys", page),
    )


def _load(tenant_id: str, key_id: str) -> tenant_store.WidgetKeyItem:
    item = store.get_widget_key(tenant_id, key_id) if is_id(key_id) else None
    if item is None:
        raise NotFound(f"no widget key with id {key_id}", code="widget_key_not_found")
    return item


def get_widget_key(tenant_id: str, key_id: str) -> WidgetKeyDetails:
    """One key, or 404."""
    return to_widget_key(_load(tenant_id, key_id))


def _expected_version(body_version: int | None, if_match: int | None) -> int:
    expected = body_version or if_match
    if expected is None:
        raise PreconditionRequired(
            "send the version you are updating, as 'version' or an If-Match header"
        )
    if body_version and if_match and body_version != if_match:
        raise Invalid("'version' and If-Match disagree", code="version_mismatch")
    return expected


def update_widget_key(
    tenant_id: str, key_id: str, request: WidgetKeyUpdate, if_match: int | None
) -> WidgetKeyDetails:
    """Change name, origins, subdomain flag or features (stale version → 409)."""
    expected = _expected_version(request.version, if_match)
    current = _load(tenant_id, key_id)
    if current.version != expected:
        raise VersionConflict(
            f"the widget key is at version {current.version}, not {expected}; fetch it and retry"
        )
    if current.revoked_at is not None:
        raise Conflict("a revoked widget key cannot be changed", code="widget_key_revoked")
    changes: dict[str, Any] = {}
    for name in ("name", "allow_subdomains"):
        value = getattr(request, name)
        if value is not None:
            changes[name] = value
    allow_subdomains = changes.get("allow_subdomains", bool(current.allow_subdomains))
    origins = request.allowed_origins
    if origins is None and "allow_subdomains" in changes:
        origins = list(current.allowed_origins or [])  # re-check wildcards against the flag
    if origins is not None:
        changes["allowed_origins"] = normalise_origins(origins, allow_subdomains=allow_subdomains)
    if request.features is not None:
        changes["features"] = set(request.features)
    if not changes:
        return to_widget_key(current)
    updated = store.update_widget_key(current, expected, changes)
    widget_auth.forget(tenant_id)
    return to_widget_key(updated)


def rotate_widget_key(tenant_id: str, key_id: str, request: WidgetKeyRotate) -> WidgetKeyDetails:
    """Create the successor (same settings) and set the old key to expire after the grace."""
    current = _load(tenant_id, key_id)
    if current.revoked_at is not None or _status(current) == "expired":
        raise Conflict("only a usable widget key can be rotated", code="widget_key_revoked")
    if current.replaced_by:
        raise Conflict(
            f"this key was already rotated; its successor is {current.replaced_by}",
            code="widget_key_rotated",
        )
    grace = request.grace_seconds
    if grace is None:
        grace = get_settings().widget_key_rotation_grace_seconds
    successor = tenant_store.new_widget_key_item(
        tenant_id,
        new_id(),
        name=current.name,
        allowed_origins=list(current.allowed_origins or []),
        allow_subdomains=bool(current.allow_subdomains),
        features=current.features,
    )
    expires = utcnow() + timedelta(seconds=grace)
    changes: dict[str, Any] = {"expires_at": expires, "replaced_by": successor.key_id}
    if grace == 0:
        changes["revoked_at"] = utcnow()
    store.rotate_widget_key(current, int(current.version), successor, changes)
    widget_auth.forget(tenant_id)
    return to_widget_key(successor)


def revoke_widget_key(tenant_id: str, key_id: str) -> WidgetKeyDetails:
    """Revoke at once: requests with it are refused and its origins leave the directory."""
    current = _load(tenant_id, key_id)
    if current.revoked_at is not None:
        return to_widget_key(current)
    updated = store.update_widget_key(current, int(current.version), {"revoked_at": utcnow()})
    widget_auth.forget(tenant_id)
    return to_widget_key(updated)
