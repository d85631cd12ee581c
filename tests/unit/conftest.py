"""Unit tests run with no AWS and no sockets."""

from __future__ import annotations

import socket

import pytest


class _SocketBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def guard(*args: object, **kwargs: object) -> None:
        raise _SocketBlocked("unit tests must not open sockets")

    monkeypatch.setattr(socket, "socket", guard)
