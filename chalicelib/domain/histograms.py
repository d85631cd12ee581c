"""Fixed-bucket histograms of durations, so medians can come from atomic counters (pure).

A report cannot keep every ticket's response time (that would mean reading every ticket),
but it can keep *counts per bucket*, which writes maintain with atomic ``ADD``. The median
is then estimated by locating the bucket holding the middle observation and interpolating
linearly inside it (observations assumed evenly spread within a bucket).

Precision: the true median lies in the reported bucket, so the error is below the bucket's
width — at most 5 minutes below 20 minutes, 15 minutes below 1 hour, 1 hour below 8 hours,
4 hours below 1 day, and a day or more beyond; the bucket bounds are reported with the
estimate. Above the last edge (30 days) only a lower bound is known.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

# Bucket lower edges in minutes; bucket i is [EDGES[i], EDGES[i+1]), the last is open-ended.
EDGES: tuple[int, ...] = (
    0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 960, 1200,
    1440, 1920, 2400, 2880, 4320, 5760, 7200, 10080, 14400, 20160, 30240, 43200,
)  # fmt: skip


def bucket_of(minutes: float) -> int:
    """The bucket index of a duration in minutes (negative durations count as 0)."""
    return max(bisect_right(EDGES, max(minutes, 0.0)) - 1, 0)


def bucket_name(prefix: str, index: int) -> str:
    """The counter attribute of a bucket, e.g. ``frt_b07``."""
    return f"{prefix}_b{index:02d}"


@dataclass(frozen=True)
class Median:
    """A median estimate with the bucket that bounds the true value."""

    count: int
    median_minutes: float | None
    low_minutes: int | None
    high_minutes: int | None


def median(counts: Mapping[int, int]) -> Median:
    """The estimated median of a histogram given as bucket index → count."""
    total = sum(max(c, 0) for c in counts.values())
    if total == 0:
        return Median(0, None, None, None)
    middle = total / 2
    seen = 0
    for index in range(len(EDGES)):
        count = max(counts.get(index, 0), 0)
        if count and seen + count >= middle:
            low = EDGES[index]
            high = EDGES[index + 1] if index + 1 < len(EDGES) else None
            if high is None:
                return Median(total, float(low), low, None)
            share = (middle - seen) / count
            return Median(total, round(low + (high - low) * share, 1), low, high)
        seen += count
    raise AssertionError("unreachable: the middle observation is in some bucket")
