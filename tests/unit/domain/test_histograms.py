"""Median estimates from bucket counts."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.histograms import EDGES, bucket_name, bucket_of, median


def test_bucket_of() -> None:
    assert bucket_of(0) == 0
    assert bucket_of(4.99) == 0
    assert bucket_of(5) == 1
    assert bucket_of(-3) == 0
    assert bucket_of(10**9) == len(EDGES) - 1
    assert bucket_name("frt", 7) == "frt_b07"


def test_median_interpolates_inside_the_bucket() -> None:
    assert median({}).median_minutes is None
    one = median({bucket_of(30): 1})
    assert (one.low_minutes, one.high_minutes) == (30, 45)
    assert one.median_minutes == 37.5
    spread = median({0: 1, 3: 1, 7: 1})  # 0-5, 15-20, 60-90
    assert (spread.low_minutes, spread.high_minutes) == (15, 20)
    top = median({len(EDGES) - 1: 3})
    assert (top.median_minutes, top.high_minutes) == (43200.0, None)


@given(st.lists(st.floats(min_value=0, max_value=40_000), min_size=1, max_size=200))
def test_the_true_median_lies_in_the_reported_bucket(values: list[float]) -> None:
    counts: dict[int, int] = {}
    for v in values:
        counts[bucket_of(v)] = counts.get(bucket_of(v), 0) + 1
    estimate = median(counts)
    ordered = sorted(values)
    lower_median = ordered[(len(ordered) - 1) // 2]
    true = statistics.median_low(values)
    assert estimate.count == len(values)
    assert estimate.low_minutes is not None
    assert estimate.high_minutes is not None
    assert estimate.low_minutes <= lower_median < estimate.high_minutes or (
        estimate.low_minutes <= true < estimate.high_minutes
    )
