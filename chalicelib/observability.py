"""The one Logger, Metrics and Tracer of the application.

The Logger is cheap and created at import (Powertools' own guidance); Metrics and Tracer are
built on first use because they pull in heavier modules (X-Ray SDK) that most cold starts do not
need before the first request.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics, Tracer

SERVICE = "aftersales"

logger = Logger(service=SERVICE)


@functools.cache
def get_metrics() -> Metrics:
    """The EMF metrics emitter (namespace from ``POWERTOOLS_METRICS_NAMESPACE``)."""
    from aws_lambda_powertools import Metrics

    return Metrics(service=SERVICE, namespace="AfterSales")


@functools.cache
def get_tracer() -> Tracer:
    """The X-Ray tracer (disabled locally via ``POWERTOOLS_TRACE_DISABLED``)."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


# Sweep health metrics (alarmed by infra/monitoring.py: SweepLag, SweepUnfinished).
SWEEP_LAG_METRIC = "SweepLagSeconds"
SWEEP_UNFINISHED_METRIC = "SweepUnfinished"


def record_sweep(job: str, *, finished: bool, lag_seconds: float | None = None) -> None:
    """Emit one sweep run's health, for every scheduled sweep to call at its end.

    ``lag_seconds``: now minus the due time of the oldest item the run picked up (how late due
    work is being handled); ``finished``: False when the run stopped at its deadline with due
    work left (it continues next minute, but repeated unfinished runs mean it falls behind).
    """
    from aws_lambda_powertools.metrics import MetricUnit

    metrics = get_metrics()
    if lag_seconds is not None:
        metrics.add_metric(
            name=SWEEP_LAG_METRIC, unit=MetricUnit.Seconds, value=max(0.0, lag_seconds)
        )
    metrics.add_metric(
        name=SWEEP_UNFINISHED_METRIC, unit=MetricUnit.Count, value=0 if finished else 1
    )
    metrics.add_metadata(key="job", value=job)
    metrics.flush_metrics()
