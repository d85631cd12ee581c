"""Per-stage deployment settings (dev, prod) and the API throttling tiers.

A stage here is a Chalice stage of the same name in ``.chalice/config.json``: the CDK app passes
the values below (plus the names and ARNs of what it creates) to Chalice as that stage's config,
so ``chalice deploy --stage dev`` and ``cdk deploy dev`` agree on table names, the bus and the
SSM parameter names. ``tests/infra/test_stages.py`` checks the two files stay consistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import get_args

APP_NAME = "aftersales"
DEFAULT_REGION = "eu-west-1"
METRICS_NAMESPACE = "AfterSales"
# The API Gateway stage Chalice deploys the REST API to (the URL path prefix).
API_GATEWAY_STAGE = "api"


@dataclass(frozen=True)
class Tier:
    """API Gateway usage-plan limits for one tenant plan."""

    rate_per_second: float
    burst: int
    requests_per_day: int


# One usage plan per tenant plan (chalicelib/schemas/tenants.py ``Plan``); a test checks that
# every plan the API accepts has a tier here.
TIERS: dict[str, Tier] = {
    "starter": Tier(rate_per_second=10, burst=20, requests_per_day=50_000),
    "growth": Tier(rate_per_second=50, burst=100, requests_per_day=500_000),
    "enterprise": Tier(rate_per_second=200, burst=400, requests_per_day=5_000_000),
}


@dataclass(frozen=True)
class Stage:
    """Everything that differs between dev and prod."""

    name: str
    production: bool
    log_level: str = "INFO"
    log_retention_days: int = 30
    lambda_memory_mb: int = 512
    lambda_timeout_seconds: int = 30
    # Stage-wide API Gateway throttle (all tenants together); per-tier plans sit below it.
    api_rate_per_second: float = 100
    api_burst: int = 200
    # WAF: requests per client IP per 5 minutes before it is blocked (widget traffic is public).
    waf_ip_requests_per_5_minutes: int = 3000
    # Alarm thresholds.
    api_5xx_rate: float = 0.01  # fraction of requests over 5 minutes
    sweep_lag_seconds: int = 300
    queue_age_seconds: int = 600
    ses_sender: str = "no-reply@example.com"
    public_base_url: str = ""
    alarm_email: str | None = None
    extra_environment: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Prefix of every named resource of the stage (tables, bus, queues' DLQs...)."""
        return f"{APP_NAME}-{self.name}-"

    @property
    def table_prefix(self) -> str:
        """``TABLE_PREFIX`` of the stage: table name = prefix + model ``base_name``."""
        return self.prefix

    @property
    def event_bus_name(self) -> str:
        """The stage's EventBridge bus."""
        return f"{APP_NAME}-{self.name}"

    def parameter(self, name: str) -> str:
        """SSM parameter name of a secret of this stage (values are never in the repo)."""
        return f"/{APP_NAME}/{self.name}/{name}"

    def environment(self) -> dict[str, str]:
        """Static environment variables of every function of the stage."""
        return {
            "STAGE": self.name,
            "TABLE_PREFIX": self.table_prefix,
            "EVENT_BUS_NAME": self.event_bus_name,
            "PLATFORM_API_KEY_PARAM": self.parameter("platform-api-key"),
            "APP_SECRET_PARAM": self.parameter("app-secret"),
            "POWERTOOLS_LOG_LEVEL": self.log_level,
            "POWERTOOLS_SERVICE_NAME": APP_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "SES_SENDER": self.ses_sender,
            **self.extra_environment,
        }


STAGES: dict[str, Stage] = {
    "dev": Stage(name="dev", production=False, log_retention_days=14),
    "prod": Stage(
        name="prod",
        production=True,
        log_retention_days=365,
        lambda_memory_mb=1024,
        api_rate_per_second=500,
        api_burst=1000,
    ),
}


def camel(name: str) -> str:
    """``rate-limits`` / ``sweep_due`` -> ``RateLimits`` / ``SweepDue`` (construct ids)."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", name) if part)


def plan_names() -> tuple[str, ...]:
    """The tenant plans the API accepts (the source of truth for usage plans)."""
    from chalicelib.schemas.tenants import Plan

    return tuple(get_args(Plan))
