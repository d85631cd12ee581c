"""Fixed-window rate limits (pure): which window a request falls in and when to retry.

A counter per (subject, window) is incremented atomically in DynamoDB; the request is refused
when the incremented value exceeds the limit. Fixed windows allow up to twice the limit across a
window boundary; for abuse resistance that is acceptable and it costs one write per check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most ``count`` requests per ``window_seconds``."""

    name: str
    count: int
    window_seconds: int

    def window_start(self, now: float) -> int:
        """The epoch second at which the window containing ``now`` began."""
        return int(now // self.window_seconds) * self.window_seconds

    def retry_after(self, now: float) -> int:
        """Whole seconds until the next window opens (at least 1)."""
        return max(1, math.ceil(self.window_start(now) + self.window_seconds - now))

    def expires_at(self, now: float) -> int:
        """When the counter may be deleted (TTL): a window after its own end."""
        return self.window_start(now) + 2 * self.window_seconds
