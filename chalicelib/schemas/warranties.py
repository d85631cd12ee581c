"""Products, warranty registrations, coverage, extended plans and claims: request and response
bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from chalicelib.schemas.common import ApiModel, ListQuery, Name, Version

Sku = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$"
    ),
]
Serial = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._/-]+$"
    ),
]
Id = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# Prices are decimal strings ("129.00"), stored as minor units: never binary floats.
Price = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Months = Annotated[int, Field(ge=1, le=600)]


class ExtendedPlanOffer(ApiModel):
    """An extended warranty / service contract a product can be sold with."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]
    name: Label
    months: Months
    price: Price
    currency: Currency


class WarrantyTerms(ApiModel):
    """A product's standard warranty."""

    months: Months = Field(description="Standard warranty length")
    starts_from: Literal["purchase", "delivery"] = Field(
        default="purchase", description="delivery: from the delivery/installation date if known"
    )
    covers: list[Label] = Field(default_factory=list, max_length=30)
    registration_required_within_days: int | None = Field(default=None, ge=1, le=3650)
    extension_purchase_window_days: int = Field(
        default=0,
        ge=0,
        le=3650,
        description=(
            "How many days after the cover ends an extended plan can still be bought "
            "(0: only until the last covered day); a plan bought after expiry starts that day"
        ),
    )


class ProductCreate(ApiModel):
    """A product the tenant sells and services."""

    sku: Sku
    name: Name
    category: Label | None = None
    warranty: WarrantyTerms
    extended_plans: list[ExtendedPlanOffer] = Field(default_factory=list, max_length=20)
    maintenance_interval_months: int | None = Field(default=None, ge=1, le=120)

    @field_validator("extended_plans")
    @classmethod
    def _unique_codes(cls, plans: list[ExtendedPlanOffer]) -> list[ExtendedPlanOffer]:
        codes = [p.code for p in plans]
        if len(codes) != len(set(codes)):
            raise ValueError("extended plan codes must be unique")
        return plans


class ProductUpdate(ApiModel):
    """A partial update; ``version`` (or ``If-Match``) is required."""

    sku: Sku | None = None
    name: Name | None = None
    category: Label | None = None
    warranty: WarrantyTerms | None = None
    extended_plans: list[ExtendedPlanOffer] | None = Field(default=None, max_length=20)
    maintenance_interval_months: int | None = Field(default=None, ge=1, le=120)
    version: Version | None = None


class Product(ApiModel):
    """A product."""

    id: str
    sku: str
    name: str
    category: str | None
    warranty: WarrantyTerms
    extended_plans: list[ExtendedPlanOffer]
    maintenance_interval_months: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class ProductList(ApiModel):
    """A page of products."""

    items: list[Product]
    next_cursor: str | None


class WarrantyCreate(ApiModel):
    """Register a sold product for warranty."""

    product_id: Id
    serial_number: Serial
    customer_id: Id
    purchase_date: date
    retailer: Label | None = None
    proof_of_purchase: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        default=None, description="Reference of an upload (see POST /v1/warranties/uploads)"
    )
    delivery_date: date | None = Field(default=None, description="Delivery or installation")
    allow_late_registration: bool = Field(
        default=False, description="Admin override of the product's registration window"
    )


class WarrantyUpdate(ApiModel):
    """Correct a registration's details (dates recompute coverage)."""

    retailer: Label | None = None
    proof_of_purchase: Annotated[str, StringConstraints(max_length=300)] | None = None
    delivery_date: date | None = None
    version: Version | None = None


class WarrantyVoid(ApiModel):
    """Void a registration from a date (misuse, tampering, fraud...)."""

    reason: Text
    effective_on: date | None = Field(default=None, description="Defaults to today")
    version: Version | None = None


class PlanPurchase(ApiModel):
    """Buy one of the product's extended plans for a registration."""

    plan_code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]
    starts_on: date | None = Field(
        default=None,
        description=(
            "Defaults to the day after the current coverage ends, or today when it already "
            "ended; never before today"
        ),
    )
    price: Price | None = Field(default=None, description="Defaults to the offer's price")
    version: Version | None = None


class PurchasedPlan(ApiModel):
    """An extended plan bought for a registration."""

    id: str
    code: str
    name: str
    starts_on: date
    ends_on: date
    price: str
    currency: str
    status: Literal["active", "cancelled"]
    created_at: datetime


class Coverage(ApiModel):
    """Whether a registration is covered on a date, by what, until when and why."""

    warranty_id: str
    on: date
    covered: bool
    status: Literal["not_started", "under_warranty", "extended", "expired", "void"]
    starts_on: date
    standard_ends_on: date
    extended_ends_on: date | None
    covered_until: date | None
    plan_id: str | None
    plan_name: str | None
    reason: str


class Warranty(ApiModel):
    """A warranty registration with its plans and current coverage."""

    id: str
    product_id: str
    product_sku: str
    product_name: str
    product_category: str | None
    serial_number: str
    customer_id: str
    purchase_date: date
    delivery_date: date | None
    retailer: str | None
    proof_of_purchase: str | None
    terms: WarrantyTerms
    late_registration: bool
    void_reason: str | None
    voided_on: date | None
    plans: list[PurchasedPlan]
    plan_offers: list[ExtendedPlanOffer] = Field(description="Plans this product can be sold with")
    coverage: Coverage
    created_at: datetime
    updated_at: datetime
    version: int


class WarrantyList(ApiModel):
    """A page of registrations."""

    items: list[Warranty]
    next_cursor: str | None


class WarrantyListQuery(ListQuery):
    """Filters: by customer, by product, or all (newest first); ``serial`` finds by serial."""

    customer_id: Id | None = None
    product_id: Id | None = None
    serial: Serial | None = None


class CoverageQuery(ApiModel):
    """``?on=DATE`` (defaults to today)."""

    on: date | None = None


class SerialCoverageQuery(ApiModel):
    """Coverage lookup by serial number (optionally narrowed to a product)."""

    serial: Serial
    product_id: Id | None = None
    on: date | None = None


class SerialCoverage(ApiModel):
    """Coverage of every registration of a serial (one per product that uses it)."""

    serial: str
    matches: list[Coverage]


class UploadRequest(ApiModel):
    """Ask for a presigned upload URL for a proof of purchase."""

    filename: Annotated[
        str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")
    ]
    content_type: Literal["application/pdf", "image/jpeg", "image/png", "image/webp"]
    size: int = Field(ge=1, le=10 * 1024 * 1024)


class Upload(ApiModel):
    """Where to PUT the file, and the reference to send as ``proof_of_purchase``."""

    reference: str
    upload_url: str
    method: Literal["PUT"]
    headers: dict[str, str]
    expires_in: int


ClaimStatusName = Literal["submitted", "approved", "rejected", "in_repair", "resolved", "cancelled"]


class ClaimCreate(ApiModel):
    """A warranty claim: coverage is decided at submission from ``reported_on``."""

    description: Text
    reported_on: date | None = Field(default=None, description="Defaults to today")
    ticket_id: Id | None = Field(default=None, description="Attach an existing ticket")
    service_centre_id: Id | None = Field(default=None, description="Otherwise routed")
    region: Label | None = Field(default=None, description="The customer's region, for routing")


class ClaimTransition(ApiModel):
    """Move a claim through its state machine."""

    status: Literal["approved", "rejected", "in_repair", "resolved", "cancelled"]
    reason: Text | None = None
    resolution: Literal["repaired", "replaced", "refunded", "no_fault_found"] | None = None
    notes: Text | None = None
    version: Version | None = None


class Claim(ApiModel):
    """A warranty claim."""

    id: str
    warranty_id: str
    product_id: str
    customer_id: str
    description: str
    reported_on: date
    billing: Literal["covered", "chargeable"]
    coverage_status: str
    coverage_reason: str
    status: ClaimStatusName
    reason: str | None
    resolution: str | None
    notes: str | None
    ticket_id: str | None
    service_centre_id: str | None
    history: list[dict[str, str | None]]
    created_at: datetime
    updated_at: datetime
    version: int


class ClaimList(ApiModel):
    """A page of claims."""

    items: list[Claim]
    next_cursor: str | None


class ClaimListQuery(ListQuery):
    """Claims of a registration, optionally of one status."""

    status: ClaimStatusName | None = None
