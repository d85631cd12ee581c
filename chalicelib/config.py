"""Typed settings read from the environment, built lazily and cached.

Nothing here runs at import time: call :func:`get_settings` when a value is needed. Secrets are
either given directly (local runs and tests) or named by an SSM SecureString parameter (deployed
stages), which is fetched once per container.
"""

from __future__ import annotations

import functools
import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.resource_names import FOLLOWUPS_QUEUE_NAME


class Settings(BaseModel):
    """Every environment-driven setting of the application."""

    model_config = ConfigDict(frozen=True)

    stage: str = "dev"
    table_prefix: str = "aftersales-dev-"
    # Secrets: a literal value (local/test) or the name of an SSM SecureString parameter.
    platform_api_key: str | None = None
    platform_api_key_param: str | None = None
    app_secret: str | None = None
    app_secret_param: str | None = None

    max_body_bytes: int = Field(default=65_536, ge=1024)
    auth_cache_seconds: float = Field(default=60.0, ge=0)
    idempotency_ttl_seconds: int = Field(default=86_400, ge=60)
    page_limit_default: int = Field(default=25, ge=1, le=100)
    page_limit_max: int = Field(default=100, ge=1, le=1000)
    offboarding_time_budget_seconds: float = Field(default=20.0, gt=0)
    metrics_tenant_dimension: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Token vending (deployed API function only): the role assumed per tenant request for its
    # DynamoDB access; unset means off (local runs, jobs, tests unless a test sets it).
    tenant_data_role_arn: str | None = None
    tenant_credentials_seconds: int = Field(default=3600, ge=900, le=3600)
    tenant_credentials_refresh_seconds: int = Field(default=300, ge=0, le=600)

    followups_queue_url: str | None = None
    # Set by infra (the queue's DLQ); found by name ``<queue name>-dlq`` when unset (local).
    followups_dead_letter_queue_url: str | None = None
    # Follow-up engine: due-index shards (may only grow), claim lease (must outlast the worker's
    # SQS visibility timeout), sweep page size and time budget, retry limit.
    followups_queue_name: str = FOLLOWUPS_QUEUE_NAME
    followup_shards: int = Field(default=16, ge=1, le=256)
    followup_lease_seconds: int = Field(default=900, ge=30, le=43_200)
    followup_sweep_page_size: int = Field(default=100, ge=1, le=1000)
    followup_sweep_budget_seconds: float = Field(default=50.0, gt=0)
    # Shards swept at once (threads): claims are independent round trips, so one sweep's
    # throughput grows with this until the client's CPU is the limit (docs/benchmarks.md).
    followup_sweep_concurrency: int = Field(default=16, ge=1, le=64)
    followup_max_attempts: int = Field(default=6, ge=1, le=20)
    followup_retry_base_seconds: int = Field(default=60, ge=1, le=3600)
    # Webhook targets on loopback/private addresses and plain http: only the local stack and
    # tests turn this on; deployed stages refuse them (SSRF protection, docs/followups.md).
    webhook_allow_private_targets: bool = False
    event_bus_name: str = "default"
    ses_sender: str = "no-reply@example.com"
    # SES configuration set (deployed stages: reputation metrics, suppression list); unset locally.
    ses_configuration_set: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    attachments_bucket: str = "aftersales-dev-attachments"
    attachment_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    attachment_url_seconds: int = Field(default=900, ge=60, le=3600)
    # S3 bucket for customer uploads (proof of purchase, ticket attachments), keys
    # ``<tenant>/<area>/<id>/<file>``; created by provisioning locally and by infra in AWS.
    uploads_bucket: str = "aftersales-uploads-local"
    upload_url_seconds: int = Field(default=900, ge=60, le=3600)

    # Embedded widget (/widget/v1): abuse limits and identity-token rules.
    widget_max_body_bytes: int = Field(default=16_384, ge=1024)
    widget_key_requests_per_minute: int = Field(default=600, ge=1)
    widget_ip_requests_per_minute: int = Field(default=60, ge=1)
    widget_ip_submissions_per_hour: int = Field(default=20, ge=1)
    widget_jwt_max_lifetime_seconds: int = Field(default=3600, ge=60, le=86_400)
    widget_jwt_clock_skew_seconds: int = Field(default=60, ge=0, le=300)
    widget_link_ttl_seconds: int = Field(default=30 * 86_400, ge=3600)
    widget_key_rotation_grace_seconds: int = Field(default=86_400, ge=0, le=30 * 86_400)


_ENV_PREFIX = ""


def _from_environ(environ: dict[str, str]) -> Settings:
    values = {
        name: environ[(_ENV_PREFIX + name).upper()]
        for name in Settings.model_fields
        if (_ENV_PREFIX + name).upper() in environ
    }
    return Settings.model_validate(values)


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return _from_environ(dict(os.environ))


def reset_settings() -> None:
    """Forget cached settings and secrets (tests and the local runner change the environment)."""
    get_settings.cache_clear()
    _secret.cache_clear()
    from chalicelib.store import tenant_credentials

    tenant_credentials.reset()


@functools.cache
def _secret(value: str | None, param: str | None, name: str) -> str:
    if value:
        return value
    if param:
        from chalicelib.store.parameters import read_secure_parameter

        return read_secure_parameter(param)
    raise RuntimeError(f"{name} is not configured: set {name.upper()} or {name.upper()}_PARAM")


def platform_api_key() -> str:
    """The operator's platform key (from the environment locally, SSM when deployed)."""
    s = get_settings()
    return _secret(s.platform_api_key, s.platform_api_key_param, "platform_api_key")


def app_secret() -> bytes:
    """The root secret that signing keys (cursors, tokens) are derived from."""
    s = get_settings()
    return _secret(s.app_secret, s.app_secret_param, "app_secret").encode()
