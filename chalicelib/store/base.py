"""PynamoDB foundations shared by every table.

Key design (see docs/data-model.md):

- Every item's partition key begins with its tenant id (``<tenant>`` or ``<tenant>#...``);
  every GSI partition key of tenant data does too. The only exceptions are platform-owned
  indexes (the tenant directory, the follow-up due index), documented next to their models.
- Every item carries ``tenant_id`` and is projected (keys only) into the table's
  ``by_tenant`` index, so offboarding and data export can find *all* of a tenant's items without
  a Scan, whatever entity types are added later.
- Table names are resolved lazily from settings (``TABLE_PREFIX``), never at import time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.config import get_settings
from chalicelib.context import current_tenant
from chalicelib.domain import clock

# Attribute names that hold partition keys anywhere (table or index). The tenancy guard checks
# exactly these; keep them generic so every table uses the same few names.
PARTITION_KEY_ATTRIBUTES = frozenset(
    {"pk", "gsi1pk", "gsi2pk", "gsi3pk", "gsi4pk", "gsi5pk", "gsi6pk", "gsi7pk", "gsi8pk"}
    | {"tenant_id"}
)
# Indexes whose partition keys are platform-owned and may not begin with a tenant id.
PLATFORM_INDEX_KEYS = frozenset({"dir_pk", "due_pk", "origin_pk"})
# Of those, the write-sharded time indexes (``due#7``) that a tenant's own writes maintain: a
# tenant request may set them on its own items (the item's pk is still checked) but never
# query them; only platform jobs read across tenants.
SHARDED_INDEX_KEYS = frozenset({"due_pk"})
SHARD_KEY_PATTERN = r"[a-z][a-z_]*#[0-9]{1,3}"
# Platform-owned lookup keys that a tenant's own writes set on its own items (the item's pk is
# still checked): the widget origin directory, which CORS preflights read before any tenant is
# known. Never queried while serving a tenant.
TENANT_MAINTAINED_INDEX_KEYS = frozenset({"origin_pk"})


class TableMeta(type):
    """Metaclass for PynamoDB ``Meta`` classes: the table name is resolved when first used."""

    base_name: str

    @property
    def table_name(cls) -> str:
        return f"{get_settings().table_prefix}{cls.base_name}"


class TenantIndex(GlobalSecondaryIndex["TenantModel"]):
    """Keys-only index of every item by tenant: offboarding and export use it."""

    class Meta:
        index_name = "by_tenant"
        projection = KeysOnlyProjection()

    tenant_id = UnicodeAttribute(hash_key=True)


def _use_the_shared_client(table: TableConnection) -> None:
    """Let a platform connection call DynamoDB through the process's one DynamoDB client
    (``store/clients.py``) instead of building its own.

    PynamoDB otherwise creates a botocore session and a client per model connection: every
    table a cold container touches cost it another client (tens of milliseconds each, billed
    in the first requests), next to the boto3 client the raw calls already use. PynamoDB only
    calls ``client._make_api_call``, and has no public hook for the client: it builds one lazily
    into ``_client`` unless one is there (pinned PynamoDB; a cold-start test checks the effect).
    Connections built with explicit credentials (token vending) keep their own client.
    """
    connection = table.connection
    if connection._client is None and not getattr(connection, "_aws_access_key_id", None):
        from chalicelib.store.clients import platform_client

        connection._client = platform_client("dynamodb")


def forget_connections() -> None:
    """Drop every model's cached connection, so the next call takes the current shared client.

    ``reset_clients`` calls this: a connection keeps the client it was given, and a client made
    before a hook was registered (call counting, a stand-in server) never runs that hook.
    """
    pending: list[type] = [TenantScopedConnection]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "_connection" in cls.__dict__:
            cls._connection = None  # type: ignore[attr-defined]


class TenantScopedConnection:
    """Mixin for table models: on the tenant path, use the tenant's vended credentials.

    PynamoDB resolves every call's connection through ``Model._get_connection()`` (cached on the
    class, static credentials). This override keeps that platform connection and, while a
    tenant is being served with token vending on, returns a connection to the same table signed
    with the tenant's credentials instead (``store/tenant_credentials.py``).
    """

    @classmethod
    def _get_connection(cls) -> TableConnection:
        platform: TableConnection = super()._get_connection()  # type: ignore[misc]
        _use_the_shared_client(platform)
        tenant_id = current_tenant()
        if tenant_id is None:
            return platform
        from chalicelib.store.tenant_credentials import vendor

        scoped = vendor()
        if scoped is None:
            return platform
        return scoped.table_connection(tenant_id, cls, platform)  # type: ignore[arg-type]


class TenantModel(TenantScopedConnection, Model):
    """Base of every tenant-owned item: generic ``pk``/``sk`` keys plus ``tenant_id``."""

    table_definition: ClassVar[bool] = False

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    by_tenant = TenantIndex()


class VersionedMixin:
    """Optimistic concurrency: ``version`` starts at 1 and increases by one per update."""

    version = NumberAttribute(default=1)


def utcnow() -> datetime:
    """Current time, timezone-aware UTC, truncated to milliseconds (what we store and show)."""
    return clock.now()


def key(tenant_id: str, *parts: str) -> str:
    """Build a tenant-prefixed key: ``key("T1", "CUSTOMER")`` → ``"T1#CUSTOMER"``."""
    if not tenant_id:
        raise ValueError("tenant id is required")
    return "#".join((tenant_id, *parts))


def table_models() -> list[type[Model]]:
    """Every model class that defines a table (its keys and indexes), in creation order."""
    from chalicelib.store import tables

    return tables.TABLE_MODELS


def model_attributes(model: type[Model]) -> dict[str, Any]:
    """Name → attribute for a model (a stable accessor for infra and tests)."""
    return dict(model.get_attributes())
