"""Widget keys, identity secrets and the public widget API's bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.schemas.common import ApiModel, Email, Name, Version
from chalicelib.schemas.customers import AddressInput

Feature = Literal["contact", "tickets", "warranty", "registration", "feedback"]
OriginEntry = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=253)]


class WidgetKeyCreate(ApiModel):
    """A new publishable key for the widget on the tenant's site(s)."""

    name: Name
    allowed_origins: list[OriginEntry] = Field(
        min_length=1,
        max_length=50,
        description="Exact origins such as https://shop.example.com; wildcards "
        "(https://*.example.com) only with allow_subdomains",
    )
    allow_subdomains: bool = False
    features: list[Feature] | None = Field(
        default=None, min_length=1, description="Enabled features; omitted = all"
    )


class WidgetKeyUpdate(ApiModel):
    """A partial change of a widget key, conditional on its version."""

    name: Name | None = None
    allowed_origins: list[OriginEntry] | None = Field(default=None, min_length=1, max_length=50)
    allow_subdomains: bool | None = None
    features: list[Feature] | None = Field(default=None, min_length=1)
    version: Version | None = None


class WidgetKeyRotate(ApiModel):
    """Rotation: the successor copies the key's settings; the old key expires after a grace."""

    grace_seconds: int | None = Field(
        default=None,
        ge=0,
        le=30 * 86_400,
        description="How long the old key keeps working (default: the platform's setting)",
    )


class WidgetKeyDetails(ApiModel):
    """A publishable widget key and its settings."""

    id: str
    key: str = Field(description="The publishable key to embed (pk_...)")
    name: str
    allowed_origins: list[str]
    allow_subdomains: bool
    features: list[Feature]
    status: Literal["active", "expiring", "revoked", "expired"]
    created_at: datetime
    updated_at: datetime | None
    expires_at: datetime | None
    replaced_by: str | None
    revoked_at: datetime | None
    version: int


class WidgetKeyList(ApiModel):
    """One page of widget keys."""

    items: list[WidgetKeyDetails]
    next_cursor: str | None


class WidgetSecretCreate(ApiModel):
    """A new identity-signing secret (HS256) for the tenant's server."""

    name: Name


class WidgetSecret(ApiModel):
    """An identity secret as listed (never the secret itself)."""

    kid: str = Field(description="Put this in the JWT header as 'kid'")
    name: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None


class WidgetSecretWithValue(WidgetSecret):
    """A freshly created secret: ``secret`` is shown this once and never again."""

    secret: str


class WidgetSecretList(ApiModel):
    """One page of identity secrets."""

    items: list[WidgetSecret]
    next_cursor: str | None


Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class WidgetSettings(ApiModel):
    """How the widget looks and where its links lead (settings section ``widget``)."""

    primary_color: Color | None = Field(
        default=None, description="Launcher and button colour; default: general.brand_color"
    )
    text_color: Color = "#ffffff"
    position: Literal["right", "left"] = "right"
    greeting: dict[Literal["en", "lt", "lv"], ShortText] = Field(
        default_factory=dict, description="Greeting per locale, overriding the shipped text"
    )
    page_url: (
        Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://\S+$")] | None
    ) = Field(
        default=None,
        description="A page of your site that embeds the widget: follow-up links in emails "
        "to anonymous visitors open it (the widget shows the ticket)",
    )


class WidgetTheme(ApiModel):
    """Colours and placement."""

    primary_color: str
    text_color: str
    position: Literal["right", "left"]


class WidgetConfig(ApiModel):
    """What the widget needs to draw itself for this tenant and key."""

    tenant_name: str
    default_locale: Literal["en", "lt", "lv"]
    locales: list[Literal["en", "lt", "lv"]]
    features: list[Feature]
    theme: WidgetTheme
    strings: dict[str, dict[str, str]]
    honeypot_field: str = Field(description="Leave this form field empty (bots fill it)")
    identified: bool = Field(description="Whether the request carried a valid customer identity")


WidgetText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
WidgetSubject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
WidgetSerial = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$"
    ),
]
Honeypot = Annotated[str, StringConstraints(max_length=200)]


class WidgetTicketCreate(ApiModel):
    """A visitor's request. Signed-in visitors send no name/email: their identity token has them."""

    name: Name | None = None
    email: Email | None = None
    subject: WidgetSubject
    message: WidgetText
    serial_number: WidgetSerial | None = None
    locale: Literal["en", "lt", "lv"] | None = None
    page_url: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="The page the widget is on; follow-up links lead back to it"
    )
    website: Honeypot | None = Field(
        default=None, description="Honeypot: a hidden field people leave empty"
    )


class WidgetReply(ApiModel):
    """A visitor's reply on their ticket."""

    message: WidgetText
    website: Honeypot | None = None


class WidgetTicketSummary(ApiModel):
    """A ticket as its customer sees it (no internal fields)."""

    id: str
    subject: str
    status: str
    serial_number: str | None
    created_at: datetime
    updated_at: datetime


class WidgetMessage(ApiModel):
    """A public message of the conversation."""

    id: str
    body: str
    from_customer: bool
    author_name: str | None
    created_at: datetime


class WidgetTicketDetails(WidgetTicketSummary):
    """A ticket with its public conversation, oldest first."""

    description: str
    messages: list[WidgetMessage]


class WidgetTicketCreated(ApiModel):
    """The result of opening a ticket from the widget."""

    ticket: WidgetTicketSummary
    follow_up: Literal["email", "widget"] = Field(
        description="'email': a link to follow the ticket was emailed; 'widget': signed in"
    )


class WidgetTicketList(ApiModel):
    """One page of the signed-in customer's tickets, most recently updated first."""

    items: list[WidgetTicketSummary]
    next_cursor: str | None


class WidgetCoverageCheck(ApiModel):
    """Serial number and the email it was registered with (signed-in customers omit email)."""

    serial_number: WidgetSerial
    email: Email | None = None
    website: Honeypot | None = None


class WidgetCoverage(ApiModel):
    """Coverage of a registration; ``found`` false (and nothing else) when there is no match."""

    found: bool
    product_name: str | None = None
    serial_number: str | None = None
    covered: bool | None = None
    status: str | None = None
    covered_until: date | None = None
    standard_ends_on: date | None = None
    extended_ends_on: date | None = None
    cover_ends_on: date | None = Field(
        default=None,
        description=(
            "Effective end of cover: the last day of the unbroken chain of standard warranty "
            "and extended plans (what a customer should be told); none for a void unit"
        ),
    )
    void_since: date | None = Field(
        default=None, description="The day the warranty was voided (then nothing is covered)"
    )


class WidgetRegistrationCreate(ApiModel):
    """A signed-in customer registers a product they bought."""

    product_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
    serial_number: WidgetSerial
    purchase_date: date
    delivery_date: date | None = None
    retailer: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    address: AddressInput | None = Field(
        default=None,
        description="The customer's address, saved on their record (replacing the one there): "
        "their warranty claims are routed to an authorised centre in its region",
    )


class WidgetRegistration(ApiModel):
    """One of the customer's registered products with its coverage today."""

    id: str
    product_name: str
    serial_number: str
    purchase_date: date
    coverage: WidgetCoverage


class WidgetRegistrationList(ApiModel):
    """The signed-in customer's registered products."""

    items: list[WidgetRegistration]


class WidgetProduct(ApiModel):
    """A product customers can register (catalogue fields only)."""

    id: str
    sku: str
    name: str
    category: str | None


class WidgetProductList(ApiModel):
    """One page of products."""

    items: list[WidgetProduct]
    next_cursor: str | None
