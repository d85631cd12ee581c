"""Everything a ticket request needs to know about its tenant, read with the ticket itself.

The tenant record (``TENANT``) and its settings sections (``SETTINGS#<name>``) live in the
tenant's partition of the tenants table. :func:`load_with` reads them together with items of
other tables (the ticket, its customer) in **one** strongly consistent ``BatchGetItem`` —
so getting a ticket with its SLA view is one call, and changing it two (this read, then one
transaction). :func:`load` reads the tenant record and every section with one Query (lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.store.clients import aws_client
from chalicelib.store.settings import PREFIX, SettingsItem
from chalicelib.store.tenants import TENANT_SK, TenantItem, TenantsTable

_MAX_ROUNDS = 5


@dataclass(frozen=True)
class TenantContext:
    """A tenant's record (None if it vanished) and its stored settings sections' values."""

    tenant: TenantItem | None
    sections: dict[str, dict[str, Any]]
    # Other items read in the same call: (table name, pk, sk) → raw DynamoDB item.
    extra: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)


def _context(raw_items: list[dict[str, Any]]) -> tuple[TenantItem | None, dict[str, Any]]:
    tenant: TenantItem | None = None
    sections: dict[str, dict[str, Any]] = {}
    for raw in raw_items:
        sk = raw["sk"]["S"]
        if sk == TENANT_SK:
            tenant = TenantItem.from_raw_data(raw)
        elif sk.startswith(PREFIX):
            item = SettingsItem.from_raw_data(raw)
            sections[item.section] = dict(item.data or {})
    return tenant, sections


def load(tenant_id: str) -> TenantContext:
    """The tenant record and every stored settings section, in one strongly consistent Query.

    ``SETTINGS#`` sorts before ``TENANT``, so ``sk BETWEEN`` reads exactly those (the API
    keys, ``APIKEY#``, sort before and the widget keys, ``WIDGETKEY#``, after).
    """
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
    tenant, sections = _context(response.get("Items", []))
    return TenantContext(tenant=tenant, sections=sections)


def load_with(
    tenant_id: str, sections: Sequence[str], extra: Sequence[tuple[str, str, str]] = ()
) -> TenantContext:
    """The tenant record, the named sections and ``extra`` items (table, pk, sk) in one
    strongly consistent BatchGetItem (unprocessed keys, rare, are retried)."""
    tenants_table = TenantsTable.Meta.table_name
    request: dict[str, Any] = {
        tenants_table: {
            "Keys": [{"pk": {"S": tenant_id}, "sk": {"S": TENANT_SK}}]
            + [{"pk": {"S": tenant_id}, "sk": {"S": PREFIX + name}} for name in sections],
            "ConsistentRead": True,
        }
    }
    for table, pk, sk in extra:
        entry = request.setdefault(table, {"Keys": [], "ConsistentRead": True})
        entry["Keys"].append({"pk": {"S": pk}, "sk": {"S": sk}})
    found: dict[str, list[dict[str, Any]]] = {}
    client = aws_client("dynamodb")
    for _ in range(_MAX_ROUNDS):
        response = client.batch_get_item(RequestItems=request)
        for table, items in response.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    else:
        from chalicelib.domain.errors import Unavailable

        raise Unavailable("the data store is busy; retry", retry_after=1)
    tenant, values = _context(found.get(tenants_table, []))
    extras = {
        (table, raw["pk"]["S"], raw["sk"]["S"]): raw
        for table, items in found.items()
        if table != tenants_table
        for raw in items
    }
    return TenantContext(tenant=tenant, sections=values, extra=extras)
