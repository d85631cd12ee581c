"""The customer action pages behind reminder links: what they show and what they accept.

``GET /widget/v1/actions/{token}`` answers :class:`ActionPage` (JSON for the widget and other
scripts, HTML for a browser); ``POST`` takes :class:`ActionRequest` (JSON or an HTML form) and
answers :class:`ActionResult`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.schemas.common import ApiModel

ActionName = Literal["extend_cover", "book_visit", "proof_of_purchase"]
PlanCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class OfferedPlan(ApiModel):
    """An extended plan the customer can still ask for, and the period it would cover."""

    code: str
    name: str
    months: int
    price: str = Field(description="Decimal amount as a string")
    currency: str
    starts_on: date
    ends_on: date


class ExtendCoverView(ApiModel):
    """The registration's cover and the plans that can extend it now."""

    warranty_id: str
    product_name: str
    serial_number: str
    status: str = Field(description="Coverage status today (under_warranty, extended...)")
    covered: bool
    cover_ends_on: date | None = Field(description="End of the unbroken cover; none when void")
    plans: list[OfferedPlan]


class VisitView(ApiModel):
    """The plan's next visit that is not completed yet."""

    plan_id: str
    product_name: str
    visit_number: int | None
    planned_date: date | None
    booked: bool = Field(description="An appointment is already booked for it")


class UploadForm(ApiModel):
    """An S3 presigned POST: a plain HTML form posts the file to ``url`` with ``fields``."""

    url: str
    fields: dict[str, str]
    max_bytes: int
    content_types: list[str]


class ProofView(ApiModel):
    """The registration that needs its proof of purchase, and where to upload it."""

    warranty_id: str
    product_name: str
    serial_number: str
    purchase_date: date
    has_proof_of_purchase: bool
    upload: UploadForm


class ActionPage(ApiModel):
    """What one action link shows, in the customer's language and the tenant's colours."""

    action: ActionName
    locale: Literal["en", "lt", "lv"]
    company: str
    brand_color: str
    expires_at: datetime
    extend_cover: ExtendCoverView | None = None
    book_visit: VisitView | None = None
    proof_of_purchase: ProofView | None = None


class ActionPageQuery(ApiModel):
    """``?lang=`` overrides the customer's language."""

    lang: Literal["en", "lt", "lv"] | None = None


class ActionRequest(ApiModel):
    """The customer's choice: a plan (extend_cover) or a date decision (book_visit)."""

    plan_code: PlanCode | None = None
    decision: Literal["confirm", "propose"] | None = None
    proposed_date: date | None = None
    note: Note | None = None


class ReceiptQuery(ApiModel):
    """What S3 appends to ``success_action_redirect`` after a presigned POST upload."""

    key: Annotated[str, StringConstraints(min_length=1, max_length=600)]
    bucket: Annotated[str, StringConstraints(max_length=255)] | None = None
    etag: Annotated[str, StringConstraints(max_length=200)] | None = None
    lang: Literal["en", "lt", "lv"] | None = None


class ActionResult(ApiModel):
    """What the customer's request did: a request ticket for the tenant, or the proof stored."""

    action: ActionName
    status: Literal["requested", "received"]
    ticket_id: str | None = Field(description="The request ticket the tenant acts on")
    message: str = Field(description="Confirmation in the customer's language")
