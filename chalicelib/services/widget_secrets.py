"""Widget identity secrets: HS256 keys the tenant's server signs customer JWTs with.

A tenant may hold several at once (rotation: create a new one, deploy it, revoke the old one);
each is named by its ``kid``. The secret is shown once at creation. It is stored encrypted
(AES-256-GCM under a key derived from the application secret for this purpose, bound to tenant
and kid) because verifying an HS256 signature needs the secret itself; see docs/security.md.
"""

from __future__ import annotations

import secrets

from chalicelib.domain import secret_box
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.widget import (
    WidgetSecret,
    WidgetSecretCreate,
    WidgetSecretList,
    WidgetSecretWithValue,
)
from chalicelib.services import widget_auth
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.services.signing import derived_key
from chalicelib.store import widget as store
from chalicelib.store.base import utcnow

_PURPOSE = "widget-identity-secret"


def _associated(tenant_id: str, kid: str) -> bytes:
    return f"{tenant_id}/{kid}".encode()


def decrypt_secret(tenant_id: str, kid: str, ciphertext: str) -> bytes | None:
    """The secret's bytes (what the tenant signs with), or None if the record was tampered."""
    plain = secret_box.decrypt(derived_key(_PURPOSE), ciphertext, _associated(tenant_id, kid))
    return plain


def to_secret(item: store.WidgetSecretItem) -> WidgetSecret:
    """Response model of a secret record (never the secret)."""
    return WidgetSecret(
        kid=item.kid,
        name=item.name,
        hint=item.hint,
        created_at=item.created_at,
        revoked_at=item.revoked_at,
    )


def create_secret(tenant_id: str, request: WidgetSecretCreate) -> WidgetSecretWithValue:
    """Create a secret; the response carries it this one time."""
    kid, value = new_id(), "wsec_" + secrets.token_urlsafe(32)
    ciphertext = secret_box.encrypt(
        derived_key(_PURPOSE), value.encode(), _associated(tenant_id, kid)
    )
    item = store.new_secret_item(
        tenant_id, kid, name=request.name, ciphertext=ciphertext, hint=value[-4:]
    )
    store.create_secret(item)
    return WidgetSecretWithValue(**to_secret(item).model_dump(), secret=value)


def list_secrets(tenant_id: str, limit: int | None, cursor: str | None) -> WidgetSecretList:
    """One page of the tenant's identity secrets."""
    size, start = page_request(tenant_id, "widget-secrets", limit, cursor)
    page = store.list_secrets(tenant_id, size, start)
    return WidgetSecretList(
        items=[to_secret(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "widget-secrets", page),
    )


def _not_found(kid: str) -> NotFound:
    return NotFound(f"no widget secret with kid {kid}", code="widget_secret_not_found")


def get_secret(tenant_id: str, kid: str) -> WidgetSecret:
    """One secret's record, or 404."""
    item = store.get_secret(tenant_id, kid) if is_id(kid) else None
    if item is None:
        raise _not_found(kid)
    return to_secret(item)


def revoke_secret(tenant_id: str, kid: str) -> WidgetSecret:
    """Revoke: tokens signed with it are refused (here at once, elsewhere within the cache)."""
    item = store.revoke_secret(tenant_id, kid, utcnow()) if is_id(kid) else None
    if item is None:
        raise _not_found(kid)
    widget_auth.forget(tenant_id)
    return to_secret(item)
