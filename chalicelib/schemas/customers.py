"""Customer request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.schemas.common import (
    ApiModel,
    Email,
    ExternalId,
    ListQuery,
    Locale,
    Name,
    Phone,
    TimeZone,
    Version,
)


class CustomerCreate(ApiModel):
    """A new end customer. Email and external id are each unique per tenant."""

    name: Name
    email: Email | None = None
    phone: Phone | None = None
    external_id: ExternalId | None = None
    locale: Locale | None = Field(default=None, description="Falls back to the tenant's locale")
    time_zone: TimeZone | None = Field(default=None, description="Falls back to the tenant's")
    marketing_consent: bool = False
    contact_consent: bool = True


class CustomerUpdate(ApiModel):
    """A partial update. ``version`` (or an ``If-Match`` header) is required."""

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    external_id: ExternalId | None = None
    locale: Locale | None = None
    time_zone: TimeZone | None = None
    marketing_consent: bool | None = None
    contact_consent: bool | None = None
    version: Version | None = None


class Customer(ApiModel):
    """An end customer of the tenant."""

    id: str
    name: str
    email: str | None
    phone: str | None
    external_id: str | None
    locale: Locale | None
    time_zone: str | None
    marketing_consent: bool
    contact_consent: bool
    created_at: datetime
    updated_at: datetime
    version: int


class CustomerList(ApiModel):
    """One page of customers."""

    items: list[Customer]
    next_cursor: str | None


class CustomerListQuery(ListQuery):
    """Filters of ``GET /v1/customers``: ``email`` or ``external_id`` find one customer."""

    email: Email | None = None
    external_id: ExternalId | None = None
