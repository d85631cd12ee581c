"""Widget keys, their origin directory entries and widget identity secrets (tenants table).

Items (all in the tenants table, partition keys begin with the tenant id):

| item                    | pk / sk                                                   |
|-------------------------|-----------------------------------------------------------|
| widget key              | ``<tenant>`` / ``WIDGETKEY#<key id>`` (``store/tenants.py``) |
| origin directory entry  | ``<tenant>#WIDGETORIGIN`` / ``<key id>#<origin>``         |
|                         | with ``origin_pk = <origin>`` (index ``origins``)          |
| identity secret         | ``<tenant>`` / ``WIDGETSECRET#<kid>``                      |

Access patterns:

| pattern                              | how                                                   |
|--------------------------------------|-------------------------------------------------------|
| authenticate a widget request        | BatchGetItem tenant + key (+ secret by kid): 1 call   |
| list keys / secrets                  | Query ``<tenant>``, sk begins_with the prefix          |
| preflight: does any key allow origin | Query index ``origins`` per candidate, Limit 1        |
| change a key's origins               | TransactWriteItems: key (version-conditional) + entries |

Directory entries exist only for keys that can be used: revoking a key deletes them in the same
transaction, so the preflight answer never outlives the key (beyond the per-container cache).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import VersionConflict
from chalicelib.store.base import key, utcnow
from chalicelib.store.errors import cancellation_codes
from chalicelib.store.paging import Page, StartKey, query_page
from chalicelib.store.tenants import (
    TENANT_SK,
    WIDGETKEY_PREFIX,
    TenantItem,
    TenantsTable,
    WidgetKeyItem,
)

WIDGETSECRET_PREFIX = "WIDGETSECRET#"


class WidgetOriginItem(TenantsTable):
    """One allow-list entry of one widget key, indexed by origin for CORS preflights."""

    key_id = UnicodeAttribute()


class WidgetSecretItem(TenantsTable):
    """A widget identity secret (HS256), encrypted at rest; ``kid`` names it in JWT headers."""

    kid = UnicodeAttribute()
    name = UnicodeAttribute()
    ciphertext = UnicodeAttribute()
    hint = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


def _origin_entries(item: WidgetKeyItem, origins: Iterable[str]) -> list[WidgetOriginItem]:
    return [
        WidgetOriginItem(
            pk=key(item.tenant_id, "WIDGETORIGIN"),
            sk=f"{item.key_id}#{origin}",
            tenant_id=item.tenant_id,
            origin_pk=origin,
            key_id=item.key_id,
        )
        for origin in origins
    ]


def directory_items(item: WidgetKeyItem) -> list[WidgetOriginItem]:
    """The directory entries of a key (onboarding saves them in its own transaction)."""
    return _origin_entries(item, [str(o) for o in item.allowed_origins or []])


def _connection() -> Any:
    return WidgetKeyItem._get_connection().connection


def create_widget_key(item: WidgetKeyItem) -> WidgetKeyItem:
    """Save a new key and its directory entries atomically."""
    with TransactWrite(connection=_connection()) as tx:
        tx.save(item, condition=WidgetKeyItem.pk.does_not_exist())
        for entry in directory_items(item):
            tx.save(entry)
    return item


def update_widget_key(
    current: WidgetKeyItem, expected_version: int, changes: dict[str, Any]
) -> WidgetKeyItem:
    """Apply ``changes`` if the key is still at ``expected_version``; move directory entries.

    A revoked key keeps no directory entries, whatever its origins say.
    """
    updated = WidgetKeyItem.from_raw_data(current.serialize())
    for name, value in changes.items():
        setattr(updated, name, value)
    updated.version = expected_version + 1
    updated.updated_at = utcnow()
    old: set[str] = set()
    new: set[str] = set()
    if current.revoked_at is None:
        old = {str(o) for o in current.allowed_origins or []}
    if updated.revoked_at is None:
        new = {str(o) for o in updated.allowed_origins or []}
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(updated, condition=WidgetKeyItem.version == expected_version)
            for entry in _origin_entries(current, sorted(old - new)):
                tx.delete(entry)
            for entry in _origin_entries(updated, sorted(new - old)):
                tx.save(entry)
    except TransactWriteError as exc:
        codes = cancellation_codes(exc)
        if codes and codes[0] == "ConditionalCheckFailed":
            raise VersionConflict(
                "the widget key was changed by someone else; fetch it and retry"
            ) from exc
        raise
    return updated


_TRANSACTION_LIMIT = 100


def rotate_widget_key(
    current: WidgetKeyItem,
    expected_version: int,
    successor: WidgetKeyItem,
    changes: dict[str, Any],
) -> WidgetKeyItem:
    """Save the successor and link (and maybe revoke) the current key in ONE transaction.

    Two separate writes left an unlinked, usable successor behind when the second failed, and
    a retry then made another one. Only when an immediate revocation has more directory entries
    to drop than a transaction holds are those deletes done after it (deleting the entries of
    a revoked key is safe to repeat, and the key itself is already refused).
    """
    updated = WidgetKeyItem.from_raw_data(current.serialize())
    for name, value in changes.items():
        setattr(updated, name, value)
    updated.version = expected_version + 1
    updated.updated_at = utcnow()
    dropped: list[WidgetOriginItem] = []
    if current.revoked_at is None and updated.revoked_at is not None:
        dropped = _origin_entries(current, sorted({str(o) for o in current.allowed_origins or []}))
    entries = directory_items(successor)
    inline = len(entries) + 2 + len(dropped) <= _TRANSACTION_LIMIT
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(updated, condition=WidgetKeyItem.version == expected_version)
            tx.save(successor, condition=WidgetKeyItem.pk.does_not_exist())
            for entry in entries:
                tx.save(entry)
            for entry in dropped if inline else []:
                tx.delete(entry)
    except TransactWriteError as exc:
        codes = cancellation_codes(exc)
        if codes and codes[0] == "ConditionalCheckFailed":
            raise VersionConflict(
                "the widget key was changed by someone else; fetch it and retry"
            ) from exc
        raise
    if not inline:
        for start in range(0, len(dropped), _TRANSACTION_LIMIT):
            with TransactWrite(connection=_connection()) as tx:
                for entry in dropped[start : start + _TRANSACTION_LIMIT]:
                    tx.delete(entry)
    return successor


def get_widget_key(tenant_id: str, key_id: str) -> WidgetKeyItem | None:
    """One widget key, or None."""
    try:
        return WidgetKeyItem.get(tenant_id, WIDGETKEY_PREFIX + key_id, consistent_read=True)
    except WidgetKeyItem.DoesNotExist:
        return None


def list_widget_keys(tenant_id: str, limit: int, start_key: StartKey | None) -> Page[WidgetKeyItem]:
    """One page of a tenant's widget keys, oldest first."""
    return query_page(
        WidgetKeyItem,
        tenant_id,
        range_key_condition=WidgetKeyItem.sk.startswith(WIDGETKEY_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def load_for_request(
    tenant_id: str, key_id: str, kid: str | None
) -> tuple[TenantItem | None, WidgetKeyItem | None, WidgetSecretItem | None]:
    """Tenant, widget key and (when ``kid``) identity secret in one BatchGetItem."""
    from chalicelib.store.batch import batch_get

    wanted = [(tenant_id, TENANT_SK), (tenant_id, WIDGETKEY_PREFIX + key_id)]
    if kid:
        wanted.append((tenant_id, WIDGETSECRET_PREFIX + kid))
    found = batch_get(TenantsTable, wanted)
    tenant_raw = found.get(wanted[0])
    key_raw = found.get(wanted[1])
    secret_raw = found.get(wanted[2]) if kid else None
    return (
        TenantItem.from_raw_data(tenant_raw) if tenant_raw else None,
        WidgetKeyItem.from_raw_data(key_raw) if key_raw else None,
        WidgetSecretItem.from_raw_data(secret_raw) if secret_raw else None,
    )


def origin_in_directory(candidates: Iterable[str]) -> bool:
    """Whether any usable widget key of any tenant lists one of ``candidates`` (platform read)."""
    for candidate in candidates:
        for _ in TenantsTable.origins.query(candidate, limit=1):
            return True
    return False


def create_secret(item: WidgetSecretItem) -> WidgetSecretItem:
    """Save a new identity secret."""
    item.save(condition=WidgetSecretItem.pk.does_not_exist())
    return item


def new_secret_item(
    tenant_id: str, kid: str, *, name: str, ciphertext: str, hint: str
) -> WidgetSecretItem:
    """Build (not save) an identity secret record."""
    return WidgetSecretItem(
        pk=tenant_id,
        sk=WIDGETSECRET_PREFIX + kid,
        tenant_id=tenant_id,
        kid=kid,
        name=name,
        ciphertext=ciphertext,
        hint=hint,
        created_at=utcnow(),
    )


def list_secrets(tenant_id: str, limit: int, start_key: StartKey | None) -> Page[WidgetSecretItem]:
    """One page of a tenant's identity secrets, oldest first."""
    return query_page(
        WidgetSecretItem,
        tenant_id,
        range_key_condition=WidgetSecretItem.sk.startswith(WIDGETSECRET_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def get_secret(tenant_id: str, kid: str) -> WidgetSecretItem | None:
    """One identity secret record, or None."""
    try:
        return WidgetSecretItem.get(tenant_id, WIDGETSECRET_PREFIX + kid, consistent_read=True)
    except WidgetSecretItem.DoesNotExist:
        return None


def revoke_secret(tenant_id: str, kid: str, at: datetime) -> WidgetSecretItem | None:
    """Mark a secret revoked (keeps the first revocation time); None if it does not exist."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.store.errors import is_condition_failure

    item = WidgetSecretItem(pk=tenant_id, sk=WIDGETSECRET_PREFIX + kid)
    try:
        item.update(
            actions=[WidgetSecretItem.revoked_at.set(WidgetSecretItem.revoked_at | at)],
            condition=WidgetSecretItem.pk.exists(),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return item
