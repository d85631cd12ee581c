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
