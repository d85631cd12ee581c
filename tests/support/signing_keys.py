"""Which access key signed each DynamoDB call (a botocore hook), for token-vending tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_recorders: list[list[tuple[str, str]]] = []
_installed = False


def _hook(request_signer: Any = None, operation_name: str = "", **_: Any) -> None:
    if not _recorders or request_signer is None:
        return
    credentials = request_signer._credentials
    key = credentials.get_frozen_credentials().access_key if credentials else ""
    for recorder in _recorders:
        recorder.append((operation_name, key))


def install() -> None:
    """Register the hook for every client created from now on (idempotent)."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-sign.dynamodb.*", _hook))
    _installed = True


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    """(operation, access key id) of every DynamoDB call signed inside the block."""
    log: list[tuple[str, str]] = []
    _recorders.append(log)
    try:
        yield log
    finally:
        _recorders.remove(log)
