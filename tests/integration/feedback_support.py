"""Helpers for feedback tests: customers, survey links as the follow-up worker builds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.integration.conftest import Api, TenantKeys, body_of


def new_customer(api: Api, tenant: TenantKeys, **fields: Any) -> str:
    """Create a customer of ``tenant`` and return its id."""
    response = api.request(
        "POST", "/v1/customers", key=tenant.admin_key, json_body={"name": "Ona", **fields}
    )
    assert response.status_code == 201, response.body
    return str(body_of(response)["id"])


def survey_link(
    tenant_id: str,
    customer_id: str,
    *,
    kind: str = "nps",
    followup_id: str | None = None,
    subject_kind: str = "customer",
    subject_id: str | None = None,
    survey_id: str | None = None,
    valid_for: timedelta = timedelta(days=30),
) -> tuple[str, dict[int, str]]:
    """A survey link (path) and the one-click score paths, signed like the worker signs them."""
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.survey_tokens import SurveyGrant, expiry
    from chalicelib.services.survey_links import survey_links

    grant = SurveyGrant(
        tenant_id=tenant_id,
        followup_id=followup_id or new_id(),
        customer_id=customer_id,
        survey_kind=kind,
        subject_kind=subject_kind,
        subject_id=subject_id or customer_id,
        expires_at=expiry(datetime.now(UTC), valid_for),
        survey_id=survey_id,
    )
    links = survey_links(grant)

    def path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    return path(links.page_url), {score: path(u) for score, u in links.score_urls.items()}


def answer(api: Api, link: str, **body: Any) -> Any:
    """POST an answer to a survey link."""
    return api.request("POST", link.split("?", 1)[0], json_body=body)
