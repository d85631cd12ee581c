"""Deleting every item of one tenant from every table (platform offboarding).

Each tenant table has the keys-only ``by_tenant`` index, so all of a tenant's items are found
with paged Queries whatever their entity type; idempotency records live in one known partition.
Deletes go out in batches of 25 with unprocessed items retried. Work stops at a deadline and can
be resumed: it is naturally idempotent (deleting what is already gone is a no-op).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from pynamodb.models import Model

from chalicelib.store.batch import batch_delete
from chalicelib.store.clients import aws_client
from chalicelib.store.idempotency import IdempotencyTable, partition
from chalicelib.store.tables import TABLE_MODELS
from chalicelib.store.tenants import TENANT_SK

PAGE = 100


class DeadlineReached(Exception):
    """Raised internally when the time budget is spent."""


def _pages(params: dict[str, Any], deadline: float) -> Iterator[list[dict[str, Any]]]:
    client = aws_client("dynamodb")
    while True:
        if time.monotonic() > deadline:
            raise DeadlineReached
        response = client.query(**params)
        yield response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        params = {**params, "ExclusiveStartKey": last}


def _tenant_keys(
    model: type[Model], tenant_id: str, deadline: float
) -> Iterator[list[dict[str, Any]]]:
    params = {
        "TableName": model.Meta.table_name,
        "IndexName": "by_tenant",
        "KeyConditionExpression": "tenant_id = :t",
        "ExpressionAttributeValues": {":t": {"S": tenant_id}},
        "Limit": PAGE,
    }
    for items in _pages(params, deadline):
        yield [{"pk": i["pk"], "sk": i["sk"]} for i in items]


def delete_tenant_data(tenant_id: str, budget_seconds: float) -> tuple[dict[str, int], bool]:
    """Delete the tenant's items; returns (deleted count per table, finished?)."""
    deadline = time.monotonic() + budget_seconds
    deleted: dict[str, int] = {}
    tenant_record: dict[str, Any] | None = None
    try:
        for model in TABLE_MODELS:
            meta: Any = model.Meta
            name = meta.table_name
            for keys in _tenant_keys(model, tenant_id, deadline):
                batch = []
                for k in keys:
                    if k["pk"]["S"] == tenant_id and k["sk"]["S"] == TENANT_SK:
                        tenant_record = k
                        continue
                    batch.append(k)
                deleted[meta.base_name] = deleted.get(meta.base_name, 0) + batch_delete(name, batch)
        idem: Any = IdempotencyTable.Meta
        params = {
            "TableName": idem.table_name,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": partition(tenant_id)}},
            "ProjectionExpression": "pk, sk",
            "Limit": PAGE,
        }
        for items in _pages(params, deadline):
            deleted[idem.base_name] = deleted.get(idem.base_name, 0) + batch_delete(
                idem.table_name, items
            )
    except DeadlineReached:
        return deleted, False
    if tenant_record is not None:
        from chalicelib.store.tenants import TenantsTable

        base = TenantsTable.Meta.base_name
        deleted[base] = deleted.get(base, 0) + batch_delete(
            TenantsTable.Meta.table_name, [tenant_record]
        )
    return deleted, True
