"""Outbound delivery failures, classified so callers know whether retrying can help."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A channel could not deliver a message.

    ``retryable`` is False for failures that will not heal by themselves (a rejected address,
    a webhook answering 4xx, a refused target); True for throttling, timeouts and 5xx.
    """

    def __init__(self, detail: str, *, retryable: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable
