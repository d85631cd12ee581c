"""Tenants table: tenant records, secret API keys and publishable widget keys.

Access patterns (pk / sk):

| pattern                          | how                                               |
|----------------------------------|---------------------------------------------------|
| get tenant                       | GetItem  ``<tenant>`` / ``TENANT``                |
| authenticate a secret key        | BatchGetItem ``TENANT`` + ``APIKEY#<key id>`` (1 call) |
| list a tenant's API keys         | Query ``<tenant>``, sk begins_with ``APIKEY#``    |
| get/list widget keys             | GetItem / Query sk begins_with ``WIDGETKEY#``     |
| authenticate a widget request    | BatchGetItem ``TENANT`` + ``WIDGETKEY#<id>``      |
|                                  | (+ ``WIDGETSECRET#<kid>`` with an identity token) |
| list widget identity secrets     | Query sk begins_with ``WIDGETSECRET#``            |
| is an origin allowed anywhere    | Query index ``origins``: ``origin_pk = <origin>`` |
| list all tenants (platform only) | Query index ``directory``: ``dir_pk = TENANT``    |

The ``directory`` index is the platform's only view across tenants; its partition key is a
constant and it is sparse (only tenant records carry it). Tenant requests never touch it (the
tenancy guard refuses it while a tenant is being served). The ``origins`` index is the other
platform view: one sparse item per (widget key, allowed origin), ``<tenant>#WIDGETORIGIN``, so a
CORS preflight, which carries an ``Origin`` but no key, can tell whether any active key allows
that origin (see ``store/widget.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import TableMeta, TenantModel, VersionedMixin, utcnow
from chalicelib.store.paging import Page, query_page

TENANT_SK = "TENANT"
APIKEY_PREFIX = "APIKEY#"
WIDGETKEY_PREFIX = "WIDGETKEY#"
DIRECTORY_PK = "TENANT"


class DirectoryIndex(GlobalSecondaryIndex["TenantsTable"]):
    """Platform-only, sparse: every tenant record, ordered by tenant id (creation time)."""

    class Meta:
        index_name = "directory"
        projection = AllProjection()

    dir_pk = UnicodeAttribute(hash_key=True)
    dir_sk = UnicodeAttribute(range_key=True)


class OriginIndex(GlobalSecondaryIndex["TenantsTable"]):
    """Platform-only, sparse: widget allow-list entries by origin (CORS preflight)."""

    class Meta:
        index_name = "origins"
        projection = KeysOnlyProjection()

    origin_pk = UnicodeAttribute(hash_key=True)


class TenantsTable(TenantModel):
    """Table definition: keys and indexes of the tenants table."""

    class Meta(metaclass=TableMeta):
        base_name = "tenants"

    dir_pk = UnicodeAttribute(null=True)
    dir_sk = UnicodeAttribute(null=True)
    directory = DirectoryIndex()
    origin_pk = UnicodeAttribute(null=True)
    origins = OriginIndex()


class TenantItem(VersionedMixin, TenantsTable):
    """One tenant."""

    name = UnicodeAttribute()
    plan = UnicodeAttribute()
    default_locale = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    status_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ApiKeyItem(TenantsTable):
    """A secret API key: only the SHA-256 of its secret part is stored."""

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = UnicodeSetAttribute()
    secret_hash = UnicodeAttribute()
    hint = UnicodeAttribute()  # last characters, to tell keys apart in listings
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class WidgetKeyItem(VersionedMixin, TenantsTable):
    """A publishable widget key (public by design: it is bound to allowed origins instead).

    ``features`` None means every widget feature; ``expires_at`` is set when the key is rotated
    (it keeps working for a grace period while pages still embed it).
    """

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    allowed_origins = ListAttribute(of=UnicodeAttribute, default=list)
    features = UnicodeSetAttribute(null=True)
    allow_subdomains = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    replaced_by = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)


def new_tenant_item(
    tenant_id: str, *, name: str, plan: str, default_locale: str, time_zone: str
) -> TenantItem:
    """Build (not save) a tenant record."""
    now = utcnow()
    return TenantItem(
        pk=tenant_id,
        sk=TENANT_SK,
        tenant_id=tenant_id,
        dir_pk=DIRECTORY_PK,
        dir_sk=tenant_id,
        name=name,
        plan=plan,
        default_locale=default_locale,
        time_zone=time_zone,
        status="active",
        created_at=now,
        updated_at=now,
        version=1,
    )


def new_api_key_item(
    tenant_id: str, key_id: str, *, name: str, scopes: Iterable[str], secret_hash: str, hint: str
) -> ApiKeyItem:
    """Build (not save) an API key record."""
    return ApiKeyItem(
        pk=tenant_id,
        sk=APIKEY_PREFIX + key_id,
        tenant_id=tenant_id,
        key_id=key_id,
        name=name,
        scopes=set(scopes),
        secret_hash=secret_hash,
        hint=hint,
        created_at=utcnow(),
    )


def new_widget_key_item(
    tenant_id: str,
    key_id: str,
    *,
    name: str,
    allowed_origins: list[str],
    allow_subdomains: bool = False,
    features: Iterable[str] | None = None,
) -> WidgetKeyItem:
    """Build (not save) a widget key record."""
    now = utcnow()
    return WidgetKeyItem(
        pk=tenant_id,
        sk=WIDGETKEY_PREFIX + key_id,
        tenant_id=tenant_id,
        key_id=key_id,
        name=name,
        allowed_origins=allowed_origins,
        allow_subdomains=allow_subdomains,
        features=set(features) if features is not None else None,
        created_at=now,
        updated_at=now,
        version=1,
    )


def get_tenant(tenant_id: str) -> TenantItem | None:
    """The tenant record, or None."""
    try:
        return TenantItem.get(tenant_id, TENANT_SK)
    except TenantItem.DoesNotExist:
        return None


def get_tenant_and_key(tenant_id: str, key_id: str) -> tuple[TenantItem | None, ApiKeyItem | None]:
    """Tenant record and one API key in a single BatchGetItem (the authentication read)."""
    from chalicelib.store.batch import batch_get

    found = batch_get(
        TenantsTable,
        [(tenant_id, TENANT_SK), (tenant_id, APIKEY_PREFIX + key_id)],
    )
    tenant_raw = found.get((tenant_id, TENANT_SK))
    key_raw = found.get((tenant_id, APIKEY_PREFIX + key_id))
    tenant = TenantItem.from_raw_data(tenant_raw) if tenant_raw else None
    api_key = ApiKeyItem.from_raw_data(key_raw) if key_raw else None
    return tenant, api_key


def list_tenants(limit: int, start_key: dict[str, object] | None) -> Page[TenantItem]:
    """Platform: one page of every tenant, oldest first."""
    return query_page(
        TenantItem.directory, DIRECTORY_PK, limit=limit, start_key=start_key, model=TenantItem
    )


def set_tenant_status(
    tenant_id: str, status: str, reason: str | None, expected_version: int | None = None
) -> TenantItem:
    """Change a tenant's status (conditional on existence, and on version when given)."""
    item = TenantItem(pk=tenant_id, sk=TENANT_SK)
    condition = TenantItem.pk.exists()
    if expected_version is not None:
        condition &= TenantItem.version == expected_version
    item.update(
        actions=[
            TenantItem.status.set(status),
            TenantItem.status_reason.set(reason) if reason else TenantItem.status_reason.remove(),
            TenantItem.updated_at.set(utcnow()),
            TenantItem.version.add(1),
        ],
        condition=condition,
    )
    return item


def list_api_keys(
    tenant_id: str, limit: int, start_key: dict[str, object] | None
) -> Page[ApiKeyItem]:
    """One page of a tenant's API keys (newest last: key ids are ULIDs)."""
    return query_page(
        ApiKeyItem,
        tenant_id,
        range_key_condition=ApiKeyItem.sk.startswith(APIKEY_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def get_api_key(tenant_id: str, key_id: str) -> ApiKeyItem | None:
    """One API key record, or None."""
    try:
        return ApiKeyItem.get(tenant_id, APIKEY_PREFIX + key_id)
    except ApiKeyItem.DoesNotExist:
        return None


def revoke_api_key(tenant_id: str, key_id: str, at: datetime) -> ApiKeyItem | None:
    """Mark a key revoked; None if it does not exist. Revoking twice keeps the first time."""
    item = ApiKeyItem(pk=tenant_id, sk=APIKEY_PREFIX + key_id)
    from pynamodb.exceptions import UpdateError

    try:
        item.update(
            actions=[ApiKeyItem.revoked_at.set(ApiKeyItem.revoked_at | at)],
            condition=ApiKeyItem.pk.exists(),
        )
    except UpdateError as exc:
        if _is_condition_failure(exc):
            return None
        raise
    return item


def get_widget_key(tenant_id: str, key_id: str) -> WidgetKeyItem | None:
    """One widget key record, or None."""
    try:
        return WidgetKeyItem.get(tenant_id, WIDGETKEY_PREFIX + key_id)
    except WidgetKeyItem.DoesNotExist:
        return None


def _is_condition_failure(exc: Exception) -> bool:
    from chalicelib.store.errors import is_condition_failure

    return is_condition_failure(exc)
