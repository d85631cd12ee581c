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
