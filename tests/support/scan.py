"""Test-only brute force reads: the tenancy guard refuses Scan, so tests bypass it explicitly."""

from __future__ import annotations

from typing import Any


def scan_table(table_name: str) -> list[dict[str, Any]]:
    """Every item of a table, read past the guard (never used by application code)."""
    from chalicelib.store import tenancy_guard
    from chalicelib.store.clients import aws_client

    client = aws_client("dynamodb")
    original = tenancy_guard.check_call
    tenancy_guard.check_call = lambda operation, params: None  # type: ignore[assignment]
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table_name}
    try:
        while True:
            response = client.scan(**kwargs)
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    finally:
        tenancy_guard.check_call = original  # type: ignore[assignment]


def tenant_item_counts(tenant_id: str) -> dict[str, int]:
    """Per table, how many items have a partition key of this tenant."""
    from chalicelib.store.tables import ALL_TABLE_MODELS

    counts = {}
    for model in ALL_TABLE_MODELS:
        meta: Any = model.Meta
        items = scan_table(meta.table_name)
        counts[meta.base_name] = sum(
            1
            for i in items
            if i["pk"]["S"] == tenant_id or i["pk"]["S"].startswith(tenant_id + "#")
        )
    return counts


def all_items() -> dict[str, list[dict[str, Any]]]:
    """Every item of every table (to prove that a refused request stored nothing)."""
    from chalicelib.store.tables import ALL_TABLE_MODELS

    return {m.Meta.table_name: scan_table(m.Meta.table_name) for m in ALL_TABLE_MODELS}


def tenant_items(tenant_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every item of one tenant (partition key ``<tenant>`` or ``<tenant>#...``), per table."""
    from chalicelib.store.tables import ALL_TABLE_MODELS

    found: dict[str, list[dict[str, Any]]] = {}
    for model in ALL_TABLE_MODELS:
        name = model.Meta.table_name
        found[name] = [
            i
            for i in scan_table(name)
            if any(
                isinstance(v, dict)
                and isinstance(v.get("S"), str)
                and (v["S"] == tenant_id or v["S"].startswith(tenant_id + "#"))
                for k, v in i.items()
                if k in ("pk", "tenant_id")
            )
        ]
    return found


# Tables whose items count attempts by design (rate-limit windows): a refused or failed request
# still spends budget there, so "nothing changed" comparisons leave them out.
ATTEMPT_COUNTERS = frozenset({"rate-limits"})


def tenant_snapshot(tenant_id: str, *, skip: frozenset[str] = ATTEMPT_COUNTERS) -> dict[str, Any]:
    """Every item of one tenant, per table, read through the ``by_tenant`` index (cost follows
    the tenant's size, not the table's) plus its idempotency partition."""
    from chalicelib.store import tenancy_guard
    from chalicelib.store.clients import aws_client
    from chalicelib.store.idempotency import IdempotencyTable, partition
    from chalicelib.store.tables import TABLE_MODELS

    client = aws_client("dynamodb")
    original = tenancy_guard.check_call
    tenancy_guard.check_call = lambda operation, params: None  # type: ignore[assignment]
    found: dict[str, Any] = {}
    try:
        for model in TABLE_MODELS:
            meta: Any = model.Meta
            if meta.base_name in skip:
                continue
            keys = _query_all(
                client,
                TableName=meta.table_name,
                IndexName="by_tenant",
                KeyConditionExpression="tenant_id = :t",
                ExpressionAttributeValues={":t": {"S": tenant_id}},
            )
            items = []
            for start in range(0, len(keys), 100):
                wanted = [{"pk": k["pk"], "sk": k["sk"]} for k in keys[start : start + 100]]
                pending: dict[str, Any] = {meta.table_name: {"Keys": wanted}}
                while pending:
                    got = client.batch_get_item(RequestItems=pending)
                    items += got["Responses"].get(meta.table_name, [])
                    pending = got.get("UnprocessedKeys") or {}
            found[meta.base_name] = sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        idem: Any = IdempotencyTable.Meta
        found[idem.base_name] = _query_all(
            client,
            TableName=idem.table_name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": partition(tenant_id)}},
        )
    finally:
        tenancy_guard.check_call = original  # type: ignore[assignment]
    return found


def snapshot_counts(snapshot: dict[str, Any]) -> dict[str, int]:
    """Items per table of a snapshot."""
    return {table: len(items) for table, items in snapshot.items()}


def _query_all(client: Any, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = client.query(**params)
        items += response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return items
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
