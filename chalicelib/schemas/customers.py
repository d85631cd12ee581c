"""Customer request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

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

Street = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
City = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2)]
RegionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AddressInput(ApiModel):
    """A customer's postal address. Written as a whole: an update replaces it."""

    street: Street | None = None
    city: City | None = None
    postal_code: PostalCode | None = Field(
        default=None,
        description="Checked per country: LT-12345, LV-1234, EE 12345 (LT and LV codes may "
        "be given without the prefix); stored in the written form",
    )
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 country code (LT, LV, EE...)")
    region: RegionText | None = Field(
        default=None,
        description="ISO 3166-2 subdivision code of the country (LT-57, LV-RIX, EE-37); a "
        "subdivision name (any case, with or without diacritics) is accepted and stored as "
        "its code",
    )


class RegionNames(ApiModel):
    """A subdivision's name in each shipped language."""

    en: str
    lt: str
    lv: str


class Address(ApiModel):
    """A customer's postal address as stored."""

    street: str | None
    city: str | None
    postal_code: str | None
    country: str
    region: str | None = Field(description="ISO 3166-2 subdivision code")
    region_names: RegionNames | None = Field(
        description="The region's names in en, lt and lv (LT, LV and EE subdivisions)"
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
    address: AddressInput | None = Field(
        default=None, description="Used to route warranty claims to a centre in its region"
    )


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
    address: AddressInput | None = Field(
        default=None, description="Replaces the whole address; null removes it"
    )
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
    address: Address | None
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
