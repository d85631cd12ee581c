"""Attachments: presigned upload to (moto) S3, confirmation checks, limits, use in messages."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items


@pytest.fixture(autouse=True)
def provisioned(aws: None) -> None:
    from scripts.provision import provision

    provision()


@pytest.fixture
def ticket(api: Api, tenant_a: TenantKeys) -> dict[str, Any]:
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant_a.admin_key,
        json_body={"subject": "s", "description": "d", "customer_email": "c@x.lt"},
    )
    return body_of(r)


def announce(api: Api, tenant: TenantKeys, ticket_id: str, **fields: Any) -> Any:
    body = {"filename": "receipt.pdf", "content_type": "application/pdf", "size": 11, **fields}
    return api.request(
        "POST", f"/v1/tickets/{ticket_id}/attachments", key=tenant.admin_key, json_body=body
    )


def upload(created: dict[str, Any], content: bytes, content_type: str | None = None) -> None:
    fields = dict(created["upload"]["fields"])
    if content_type:
        fields["Content-Type"] = content_type
    r = requests.post(
        created["upload"]["url"], data=fields, files={"file": ("f", content)}, timeout=10
    )
    assert r.status_code in (200, 201, 204), r.text


def confirm(api: Api, tenant: TenantKeys, ticket_id: str, attachment_id: str) -> Any:
    return api.request(
        "POST",
        f"/v1/tickets/{ticket_id}/attachments/{attachment_id}/confirm",
        key=tenant.admin_key,
    )


def test_upload_confirm_download_and_reference_in_a_message(
    api: Api, tenant_a: TenantKeys, ticket: dict[str, Any]
) -> None:
    r = announce(api, tenant_a, ticket["id"])
    assert r.status_code == 201, r.body
    created = body_of(r)
    attachment = created["attachment"]
    assert attachment["status"] == "pending"
    assert created["upload"]["fields"]["Content-Type"] == "application/pdf"
    assert created["upload"]["fields"]["key"].startswith(f"{tenant_a.tenant_id}/tickets/")
    # Not yet uploaded: messages cannot use it, confirming is a conflict.
    r = api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "see file", "attachment_ids": [attachment["id"]]},
    )
    assert (r.status_code, body_of(r)["code"]) == (422, "attachment_not_uploaded")
    r = confirm(api, tenant_a, ticket["id"], attachment["id"])
    assert (r.status_code, body_of(r)["code"]) == (409, "upload_missing")
    upload(created, b"%PDF-1.7 ok")
    r = confirm(api, tenant_a, ticket["id"], attachment["id"])
    assert r.status_code == 200, r.body
    done = body_of(r)
    assert (done["status"], done["size"]) == ("uploaded", 11)
    downloaded = requests.get(done["download_url"], timeout=10)
    assert downloaded.content == b"%PDF-1.7 ok"
    assert confirm(api, tenant_a, ticket["id"], attachment["id"]).status_code == 200
    r = api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "see file", "attachment_ids": [attachment["id"]]},
    )
    assert r.status_code == 201, r.body
    assert body_of(r)["attachment_ids"] == [attachment["id"]]
    listed = body_of(
        api.request("GET", f"/v1/tickets/{ticket['id']}/attachments", key=tenant_a.admin_key)
    )
    assert [a["id"] for a in listed["items"]] == [attachment["id"]]


def test_an_upload_larger_than_announced_or_of_another_type_is_discarded(
    api: Api, tenant_a: TenantKeys, ticket: dict[str, Any]
) -> None:
    from chalicelib.store import attachment_objects

    big = body_of(announce(api, tenant_a, ticket["id"], size=4))
    upload(big, b"far more than four bytes")
    r = confirm(api, tenant_a, ticket["id"], big["attachment"]["id"])
    assert (r.status_code, body_of(r)["code"]) == (422, "upload_rejected")
    key = big["upload"]["fields"]["key"]
    assert attachment_objects.head(key) is None
    typed = body_of(announce(api, tenant_a, ticket["id"]))
    upload(typed, b"MZ.........", content_type="application/x-msdownload")
    r = confirm(api, tenant_a, ticket["id"], typed["attachment"]["id"])
    assert (r.status_code, body_of(r)["code"]) == (422, "upload_rejected")


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"size": 26 * 1024 * 1024}, 413, "attachment_too_large"),
        ({"content_type": "application/x-msdownload"}, 422, "validation_failed"),
        ({"filename": "../../etc/passwd"}, 422, "validation_failed"),
        ({"filename": ""}, 422, "validation_failed"),
        ({"size": 0}, 422, "validation_failed"),
        ({"colour": "red"}, 422, "validation_failed"),
    ],
)
def test_limits_and_bad_input(
    api: Api,
    tenant_a: TenantKeys,
    ticket: dict[str, Any],
    fields: dict[str, Any],
    *,
    status: int,
    code: str,
) -> None:
    before = all_items()
    r = announce(api, tenant_a, ticket["id"], **fields)
    assert (r.status_code, body_of(r)["code"]) == (status, code)
    assert all_items() == before


def test_attachments_of_another_tenant_are_404(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, ticket: dict[str, Any]
) -> None:
    created = body_of(announce(api, tenant_a, ticket["id"]))
    attachment_id = created["attachment"]["id"]
    base = f"/v1/tickets/{ticket['id']}/attachments"
    before = all_items()
    for method, path, body in (
        ("POST", base, {"filename": "a.pdf", "content_type": "application/pdf", "size": 1}),
        ("GET", base, None),
        ("GET", f"{base}/{attachment_id}", None),
        ("POST", f"{base}/{attachment_id}/confirm", None),
    ):
        r = api.request(method, path, key=tenant_b.admin_key, json_body=body)
        assert r.status_code == 404, (method, path)
    assert all_items() == before
    # And a message of B cannot reference A's attachment on B's own ticket.
    b_ticket = body_of(
        api.request(
            "POST",
            "/v1/tickets",
            key=tenant_b.admin_key,
            json_body={"subject": "s", "description": "d", "customer_email": "c@x.lt"},
        )
    )
    r = api.request(
        "POST",
        f"/v1/tickets/{b_ticket['id']}/messages",
        key=tenant_b.admin_key,
        json_body={"body": "x", "attachment_ids": [attachment_id]},
    )
    assert (r.status_code, body_of(r)["code"]) == (422, "attachment_not_found")
