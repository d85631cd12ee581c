"""A tenant's secret API keys: create (secret shown once), list, revoke."""

from __future__ import annotations

from chalicelib.domain.api_keys import format_secret_key, hash_secret, new_secret
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.tenants import ApiKey, ApiKeyCreate, ApiKeyList, ApiKeyWithSecret
from chalicelib.services import auth
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import tenants as store
from chalicelib.store.base import utcnow


def to_api_key(item: store.ApiKeyItem) -> ApiKey:
    """Response model of a key record (never the secret)."""
    return ApiKey(
        id=item.key_id,
        name=item.name,
        scopes=sorted(item.scopes),
        hint=item.hint,
        created_at=item.created_at,
        revoked_at=item.revoked_at,
    )


def create_api_key(tenant_id: str, request: ApiKeyCreate) -> ApiKeyWithSecret:
    """Create a key; the response carries the full secret this one time."""
    key_id, secret = new_id(), new_secret()
    item = store.new_api_key_item(
        tenant_id,
        key_id,
        name=request.name,
        scopes=sorted(set(request.scopes)),
        secret_hash=hash_secret(secret),
        hint=secret[-4:],
    )
    item.save(condition=store.ApiKeyItem.pk.does_not_exist())
    return ApiKeyWithSecret(
        **to_api_key(item).model_dump(), secret=format_secret_key(tenant_id, key_id, secret)
    )


def list_api_keys(tenant_id: str, limit: int | None, cursor: str | None) -> ApiKeyList:
    """One page of the tenant's keys."""
    size, start = page_request(tenant_id, "api-keys", limit, cursor)
    page = store.list_api_keys(tenant_id, size, start)
    return ApiKeyList(
        items=[to_api_key(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "api-keys", page),
    )


def _not_found(key_id: str) -> NotFound:
    return NotFound(f"no API key with id {key_id}", code="api_key_not_found")


def get_api_key(tenant_id: str, key_id: str) -> ApiKey:
    """One key, or 404."""
    item = store.get_api_key(tenant_id, key_id) if is_id(key_id) else None
    if item is None:
        raise _not_found(key_id)
    return to_api_key(item)


def revoke_api_key(tenant_id: str, key_id: str, *, acting_key_id: str | None = None) -> ApiKey:
    """Revoke a key (refused here at once, elsewhere within the auth cache lifetime).

    The key making the request cannot revoke itself: that would lock the caller out mid-way
    (create the replacement first, then revoke the old key with it).
    """
    if acting_key_id is not None and key_id == acting_key_id:
        raise Conflict(
            "an API key cannot revoke itself; revoke it with another admin key",
            code="api_key_in_use",
        )
    item = store.revoke_api_key(tenant_id, key_id, utcnow()) if is_id(key_id) else None
    if item is None:
        raise _not_found(key_id)
    auth.forget_key(tenant_id, key_id)
    return to_api_key(item)
