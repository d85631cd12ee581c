"""Batch reads, deletes and puts with retry of unprocessed items (exponential backoff)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from pynamodb.models import Model

from chalicelib.store.clients import aws_client

_MAX_ROUNDS = 8


def _backoff(round_no: int) -> None:
    if round_no:
        time.sleep(min(0.05 * (2**round_no), 2.0))


def batch_get(model: type[Model], keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Get up to 100 items by (pk, sk) in one BatchGetItem; returns raw items by key."""
    table = model.Meta.table_name
    hash_name, range_name = model._hash_keyname, model._range_keyname
    if hash_name is None or range_name is None:
        raise TypeError(f"{model.__name__} has no range key")
    pending: list[dict[str, Any]] = [{hash_name: {"S": h}, range_name: {"S": r}} for h, r in keys]
    found: dict[tuple[str, str], Any] = {}
    client = aws_client("dynamodb")
    for round_no in range(_MAX_ROUNDS):
        _backoff(round_no)
        response = client.batch_get_item(
            RequestItems={table: {"Keys": pending, "ConsistentRead": True}}
        )
        for raw in response.get("Responses", {}).get(table, []):
            found[(raw[hash_name]["S"], raw[range_name]["S"])] = raw
        pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        if not pending:
            return found
    raise RuntimeError(f"BatchGetItem on {table} left {len(pending)} keys unprocessed")


def _batch_write(table_name: str, requests: Iterable[dict[str, Any]]) -> int:
    """Send write requests 25 per BatchWriteItem, retrying unprocessed items; returns the count."""
    client = aws_client("dynamodb")
    written = 0
    chunk: list[dict[str, Any]] = []

    def flush(pending: list[dict[str, Any]]) -> None:
        for round_no in range(_MAX_ROUNDS):
            _backoff(round_no)
            response = client.batch_write_item(RequestItems={table_name: pending})
            pending = response.get("UnprocessedItems", {}).get(table_name, [])
            if not pending:
                return
        raise RuntimeError(f"BatchWriteItem on {table_name} left items unprocessed")

    for request in requests:
        chunk.append(request)
        if len(chunk) == 25:
            flush(chunk)
            written += len(chunk)
            chunk = []
    if chunk:
        flush(chunk)
        written += len(chunk)
    return written


def batch_delete(table_name: str, keys: Iterable[dict[str, Any]]) -> int:
    """Delete items by their raw keys, 25 per BatchWriteItem, retrying unprocessed items."""
    return _batch_write(table_name, ({"DeleteRequest": {"Key": key}} for key in keys))


def batch_put(table_name: str, items: Iterable[dict[str, Any]]) -> int:
    """Put raw items, 25 per BatchWriteItem, retrying unprocessed items (bulk loads: no
    conditions, so only for items nothing else writes yet, e.g. imports and seeding)."""
    return _batch_write(table_name, ({"PutRequest": {"Item": item}} for item in items))
