"""Counting DynamoDB calls (botocore hooks), for asserting per-request costs.

Besides the operation names, the log counts *items read* (returned by GetItem, BatchGetItem
and TransactGetItems, examined by Query and Scan — what read capacity is billed on) and
*items written* (named by PutItem, UpdateItem, DeleteItem, BatchWriteItem and
TransactWriteItems, condition checks excluded).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_recorders: list[CallLog] = []
_installed = False


@dataclass
class CallLog:
    """Operation names of the DynamoDB calls made while recording, and the items they touched."""

    calls: list[str] = field(default_factory=list)
    items_read: int = 0
    items_written: int = 0

    @property
    def count(self) -> int:
        return len(self.calls)


def items_written(operation: str, params: dict[str, Any]) -> int:
    """How many items a write call names (condition checks excluded)."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in params.get("RequestItems", {}).values())
    if operation == "TransactWriteItems":
        return sum(1 for item in params.get("TransactItems", []) if "ConditionCheck" not in item)
    return 0


def items_read(operation: str, parsed: dict[str, Any]) -> int:
    """How many items a read call returned (or, for Query and Scan, examined)."""
    if operation == "GetItem":
        return 1 if parsed.get("Item") else 0
    if operation == "BatchGetItem":
        return sum(len(items) for items in parsed.get("Responses", {}).values())
    if operation == "TransactGetItems":
        return sum(1 for response in parsed.get("Responses", []) if response.get("Item"))
    if operation in ("Query", "Scan"):
        return int(parsed.get("ScannedCount", len(parsed.get("Items", []))))
    return 0


def _before(params: dict[str, Any], model: Any, **_: Any) -> None:
    for recorder in _recorders:
        recorder.calls.append(model.name)
        recorder.items_written += items_written(model.name, params)


def _after(parsed: dict[str, Any], model: Any, **_: Any) -> None:
    for recorder in _recorders:
        recorder.items_read += items_read(model.name, parsed)


def install() -> None:
    """Register the counting hooks for every client created from now on."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.*", _before))
    BUILTIN_HANDLERS.append(("after-call.dynamodb.*", _after))
    _installed = True


@contextlib.contextmanager
def recording() -> Iterator[CallLog]:
    """Record the DynamoDB calls made inside the block."""
    log = CallLog()
    _recorders.append(log)
    try:
        yield log
    finally:
        _recorders.remove(log)
