"""Export and erasure of one end customer's data (data-subject requests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.schemas.common import ApiModel


class PrivacySettings(ApiModel):
    """How erasing an end customer treats records the tenant must keep in some form."""

    registrations_on_erasure: Literal["anonymise", "remove"] = Field(
        default="anonymise",
        description="Product registrations of an erased customer: kept without identity "
        "(warranty history stays valid) or removed",
    )


class CustomerDataExport(ApiModel):
    """Everything stored about one customer, one section per bounded context."""

    customer_id: str
    exported_at: datetime
    sections: dict[str, Any]


class ErasureReport(ApiModel):
    """What erasing a customer changed, per context (items rewritten or removed)."""

    customer_id: str
    status: Literal["erased"]
    erased: dict[str, int]
