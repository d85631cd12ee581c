"""Counting DynamoDB calls (a botocore hook), for asserting per-request costs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_recorders: list[CallLog] = []
_installed = False


@dataclass
class CallLog:
    """Operation names of the DynamoDB calls made while recording."""

    calls: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.calls)


def _hook(params: dict[str, Any], model: Any, **_: Any) -> None:
    for recorder in _recorders:
        recorder.calls.append(model.name)


def install() -> None:
    """Register the counting hook for every client created from now on."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.*", _hook))
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
