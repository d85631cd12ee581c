"""Tenancy guard: a botocore event hook that checks every DynamoDB call's keys.

While a tenant is being served (``chalicelib.context.current_tenant()``), every partition-key
value a call names (table keys, index keys in items, key conditions of queries, keys set by update
expressions, inside batches and transactions) must be that tenant's: equal to its id or starting
with ``<id>#``. Platform-owned index keys may not be touched at all then. ``Scan`` is refused
always. The test suite installs the guard for every test; the local stack installs it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from chalicelib.context import current_tenant
from chalicelib.store.base import (
    PARTITION_KEY_ATTRIBUTES,
    PLATFORM_INDEX_KEYS,
    SHARD_KEY_PATTERN,
    SHARDED_INDEX_KEYS,
    TENANT_MAINTAINED_INDEX_KEYS,
)


class TenancyViolation(AssertionError):
    """A DynamoDB call named keys outside the tenant being served."""


_SHARD_KEY = re.compile(SHARD_KEY_PATTERN)
_ASSIGN = re.compile(r"(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)")
_installed = False


def _scalar(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind in {"S", "N", "B"}:
            return inner
    return value


def _check_value(
    tenant: str, attribute: str, value: Any, operation: str, *, writing: bool = False
) -> None:
    if writing and attribute in SHARDED_INDEX_KEYS:
        shard = _scalar(value)
        if isinstance(shard, str) and _SHARD_KEY.fullmatch(shard):
            return
    if writing and attribute in TENANT_MAINTAINED_INDEX_KEYS:
        return
    if attribute in PLATFORM_INDEX_KEYS:
        raise TenancyViolation(
            f"{operation} touches platform key {attribute} while serving {tenant}"
        )
    text = _scalar(value)
    if not isinstance(text, str) or not (text == tenant or text.startswith(tenant + "#")):
        raise TenancyViolation(
            f"{operation} names {attribute}={text!r} while serving tenant {tenant!r}"
        )


def _check_attributes(
    tenant: str, item: dict[str, Any], operation: str, *, writing: bool = False
) -> None:
    for attribute, value in item.items():
        if attribute in PARTITION_KEY_ATTRIBUTES or attribute in PLATFORM_INDEX_KEYS:
            _check_value(tenant, attribute, value, operation, writing=writing)


def _check_expression(
    tenant: str,
    expression: str | None,
    params: dict[str, Any],
    operation: str,
    *,
    writing: bool = False,
) -> None:
    if not expression:
        return
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for name_token, value_token in _ASSIGN.findall(expression):
        attribute = names.get(name_token, name_token)
        if attribute in PARTITION_KEY_ATTRIBUTES or attribute in PLATFORM_INDEX_KEYS:
            _check_value(tenant, attribute, values.get(value_token), operation, writing=writing)


def _requests(params: dict[str, Any], operation: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (kind, request) pairs for single, batch and transactional operations."""
    if operation == "BatchGetItem":
        for table_request in (params.get("RequestItems") or {}).values():
            for key in table_request.get("Keys", []):
                yield "Key", {"Key": key}
    elif operation == "BatchWriteItem":
        for writes in (params.get("RequestItems") or {}).values():
            for write in writes:
                if "PutRequest" in write:
                    yield "Item", write["PutRequest"]
                if "DeleteRequest" in write:
                    yield "Key", write["DeleteRequest"]
    elif operation in {"TransactWriteItems", "TransactGetItems"}:
        for item in params.get("TransactItems", []):
            for request in item.values():
                yield "Request", request
    else:
        yield "Request", params


def check_call(operation: str, params: dict[str, Any]) -> None:
    """Raise :class:`TenancyViolation` if ``params`` leave the current tenant's keys."""
    if operation == "Scan":
        raise TenancyViolation("Scan is not allowed on any request path or job")
    tenant = current_tenant()
    if tenant is None:
        return
    for _, request in _requests(params, operation):
        for field in ("Key", "Item"):
            if field in request:
                _check_attributes(tenant, request[field], operation, writing=field == "Item")
        _check_expression(tenant, request.get("KeyConditionExpression"), request, operation)
        _check_expression(tenant, request.get("UpdateExpression"), request, operation, writing=True)
        if operation == "Query" and not request.get("KeyConditionExpression"):
            raise TenancyViolation("Query without a key condition")


def _hook(params: dict[str, Any], model: Any, **_: Any) -> None:
    check_call(model.name, params)


def install() -> None:
    """Register the guard for every botocore client created from now on (idempotent)."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.*", _hook))
    _installed = True
