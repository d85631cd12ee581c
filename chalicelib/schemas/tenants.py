"""Tenant, API key and widget key bodies (platform and admin APIs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from chalicelib.domain.api_keys import ALL_SCOPES, SCOPES
from chalicelib.schemas.common import ApiModel, ListQuery, Locale, Name, TimeZone

Plan = Literal["starter", "growth", "enterprise"]
TenantStatus = Literal["active", "suspended", "offboarding"]
ScopeName = Literal[SCOPES]  # type: ignore[valid-type]


def _known_scope(value: object) -> object:
    """Refuse an unknown scope by name, listing the valid ones (a misspelt scope would
    otherwise make a key that can do nothing)."""
    if isinstance(value, str) and value not in ALL_SCOPES:
        raise ValueError(f"unknown scope '{value[:60]}'; valid scopes: {', '.join(SCOPES)}")
    return value


Scope = Annotated[ScopeName, BeforeValidator(_known_scope)]
Origin = Annotated[
    str,
    StringConstraints(max_length=253, pattern=r"^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$"),
]


class TenantCreate(ApiModel):
    """A new tenant (company) on the platform."""

    name: Name
    plan: Plan = "starter"
    default_locale: Locale = "en"
    time_zone: TimeZone = "UTC"
    widget_origins: list[Origin] = Field(default_factory=list, max_length=20)


class Tenant(ApiModel):
    """A tenant as the platform operator sees it."""

    id: str
    name: str
    plan: Plan
    default_locale: Locale
    time_zone: str
    status: TenantStatus
    status_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class TenantList(ApiModel):
    """One page of tenants."""

    items: list[Tenant]
    next_cursor: str | None


class ApiKeyCreate(ApiModel):
    """A new secret API key with the scopes it grants."""

    name: Name
    scopes: list[Scope] = Field(min_length=1, max_length=32)


class ApiKey(ApiModel):
    """A secret API key as listed (never with its secret)."""

    id: str
    name: str
    scopes: list[str]
    hint: str = Field(description="The last characters of the key, to tell keys apart")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyWithSecret(ApiKey):
    """A freshly created key: ``secret`` is shown this once and never again."""

    secret: str


class ApiKeyList(ApiModel):
    """One page of API keys."""

    items: list[ApiKey]
    next_cursor: str | None


class WidgetKey(ApiModel):
    """A publishable widget key (safe to embed in web pages)."""

    id: str
    key: str
    allowed_origins: list[str]
    created_at: datetime


class TenantCreated(ApiModel):
    """Result of onboarding: the tenant, its first admin key and its widget key."""

    tenant: Tenant
    admin_api_key: ApiKeyWithSecret
    widget_key: WidgetKey


class StatusChange(ApiModel):
    """Suspend or reactivate, with a reason for the record."""

    reason: Annotated[str, StringConstraints(max_length=500)] | None = None


class OffboardingReport(ApiModel):
    """What offboarding deleted; ``completed`` false means call again to continue."""

    tenant_id: str
    completed: bool
    deleted: dict[str, int]


class TenantListQuery(ListQuery):
    """``GET /platform/tenants``."""
