"""Everything a ticket write needs to know about its tenant, in one Query.

The tenant record (``TENANT``) and its settings sections (``SETTINGS#...``) share the tenant's
partition in the tenants table, and ``SETTINGS#`` < ``TENANT`` sort together: one Query with
``sk BETWEEN "SETTINGS#" AND "TENANT"`` reads both (the API keys, ``APIKEY#``, sort before and
the widget keys, ``WIDGETKEY#``, after, so neither is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.store.clients import aws_client
from chalicelib.store.settings import PREFIX, SettingsItem
from chalicelib.store.tenants import TENANT_SK, TenantItem, TenantsTable


@dataclass(frozen=True)
class TenantContext:
    """A tenant's record (None if it vanished) and its stored settings sections' values."""

    tenant: TenantItem | None
    sections: dict[str, dict[str, Any]]


def load(tenant_id: str) -> TenantContext:
    """The tenant record and every stored settings section, in one strongly consistent Query."""
    response = aws_client("dynamodb").query(
        TableName=TenantsTable.Meta.table_name,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": tenant_id},
            ":lo": {"S": PREFIX},
            ":hi": {"S": TENANT_SK},
        },
        ConsistentRead=True,
    )
    tenant: TenantItem | None = None
    sections: dict[str, dict[str, Any]] = {}
    for raw in response.get("Items", []):
        sk = raw["sk"]["S"]
        if sk == TENANT_SK:
            tenant = TenantItem.from_raw_data(raw)
        elif sk.startswith(PREFIX):
            item = SettingsItem.from_raw_data(raw)
            sections[item.section] = dict(item.data or {})
    return TenantContext(tenant=tenant, sections=sections)
