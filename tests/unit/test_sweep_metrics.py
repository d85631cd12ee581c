"""Sweep health metrics: the names infra alarms on, with the values a sweep reports."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import observability


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Metric sets as they would be flushed (EMF output is disabled in tests)."""
    metrics = observability.get_metrics()
    metrics.clear_metrics()  # what earlier handlers in this process left unflushed
    flushed: list[dict[str, Any]] = []

    def flush() -> None:
        flushed.append({name: list(m["Value"]) for name, m in metrics.metric_set.items()})
        metrics.clear_metrics()

    monkeypatch.setattr(metrics, "flush_metrics", flush)
    return flushed


def test_a_late_unfinished_sweep(emitted: list[dict[str, Any]]) -> None:
    observability.record_sweep("ticket_sweep", finished=False, lag_seconds=421.5)
    assert emitted == [{"SweepLagSeconds": [421.5], "SweepUnfinished": [1.0]}]


def test_a_finished_sweep_with_nothing_due(emitted: list[dict[str, Any]]) -> None:
    observability.record_sweep("ticket_sweep", finished=True)
    assert emitted == [{"SweepUnfinished": [0.0]}]


def test_infra_alarms_on_the_emitted_names() -> None:
    from infra import monitoring

    assert monitoring.SWEEP_LAG_METRIC == "SweepLagSeconds"
    assert monitoring.SWEEP_UNFINISHED_METRIC == "SweepUnfinished"
