"""Token vending: tenant-path DynamoDB calls are signed with per-tenant STS credentials.

moto's STS hands out real-looking temporary credentials and records nothing of the session tags
or policy, and moto does not evaluate IAM conditions; so these tests check what the app asks STS
for (role, tags, session policy), what signs each DynamoDB call, and the caching. The IAM
policies themselves are asserted on the synthesised template (tests/infra/test_iam.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.store import tenant_credentials
from chalicelib.store.tenant_credentials import CredentialError, CredentialVendor, session_policy
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support import signing_keys

ROLE_ARN = "arn:aws:iam::123456789012:role/aftersales-test-tenant-data"

signing_keys.install()


def platform_key() -> str:
    """The access key of the function's own (here: moto's) credentials."""
    import boto3

    credentials = boto3.Session().get_credentials()
    assert credentials is not None
    return str(credentials.get_frozen_credentials().access_key)


@pytest.fixture
def assume_calls(aws: None) -> list[dict[str, Any]]:
    """Parameters of every STS AssumeRole call made from now on."""
    from chalicelib.store.clients import aws_client

    calls: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    aws_client("sts").meta.events.register("provide-client-params.sts.AssumeRole", capture)
    return calls


@pytest.fixture
def vending(
    monkeypatch: pytest.MonkeyPatch, assume_calls: list[dict[str, Any]]
) -> Iterator[list[dict[str, Any]]]:
    """Token vending switched on, as in the deployed API function."""
    from chalicelib.config import reset_settings

    monkeypatch.setenv("TENANT_DATA_ROLE_ARN", ROLE_ARN)
    reset_settings()
    yield assume_calls
    monkeypatch.delenv("TENANT_DATA_ROLE_ARN")
    reset_settings()


def _create_customer(api: Api, tenant: TenantKeys, email: str, **headers: str) -> Any:
    return api.request(
        "POST",
        "/v1/customers",
        key=tenant.admin_key,
        json_body={"name": "Ona", "email": email},
        headers=headers,
    )


def test_tenant_requests_sign_their_data_calls_with_the_tenants_own_credentials(
    api: Api, onboard: Callable[..., TenantKeys], vending: list[dict[str, Any]]
) -> None:
    tenant_a = onboard("A")
    assert vending == [], "the platform path keeps the function's own role"

    with signing_keys.recording() as signed:
        response = _create_customer(api, tenant_a, "ona@example.lt", **{"Idempotency-Key": "k1"})
    assert response.status_code == 201, response.body

    (call,) = vending
    assert call["RoleArn"] == ROLE_ARN
    assert call["RoleSessionName"] == f"tenant-{tenant_a.tenant_id}"
    assert call["Tags"] == [{"Key": "tenant_id", "Value": tenant_a.tenant_id}]
    assert call["DurationSeconds"] == 3600
    policy = json.loads(call["Policy"])
    assert policy["Statement"][0]["Condition"] == {
        "ForAllValues:StringLike": {
            "dynamodb:LeadingKeys": [tenant_a.tenant_id, f"{tenant_a.tenant_id}#*"]
        }
    }
    vendor = tenant_credentials.vendor()
    assert vendor is not None
    key_a = vendor.credentials(tenant_a.tenant_id).access_key_id
    assert key_a != platform_key()
    # Authentication reads the key record before the tenant is known: the function's role.
    assert signed[0] == ("BatchGetItem", platform_key())
    data_calls = signed[1:]
    # Idempotency record (Powertools, raw boto3) and the customer (PynamoDB transaction).
    assert {op for op, _ in data_calls} >= {"PutItem", "TransactWriteItems", "UpdateItem"}
    assert {key for _, key in data_calls} == {key_a}, data_calls

    # Warm container: the next request of the tenant makes no STS call.
    customer_id = body_of(response)["id"]
    with signing_keys.recording() as signed_get:
        got = api.request("GET", f"/v1/customers/{customer_id}", key=tenant_a.admin_key)
    assert got.status_code == 200
    assert len(vending) == 1
    assert ("GetItem", key_a) in signed_get

    tenant_b = onboard("B")
    with signing_keys.recording() as signed_b:
        assert _create_customer(api, tenant_b, "janis@example.lv").status_code == 201
    assert [c["Tags"][0]["Value"] for c in vending] == [tenant_a.tenant_id, tenant_b.tenant_id]
    key_b = vendor.credentials(tenant_b.tenant_id).access_key_id
    assert {key for _, key in signed_b[1:]} == {key_b}
    assert key_b != key_a


def test_vending_is_off_unless_the_role_is_configured(
    api: Api, onboard: Callable[..., TenantKeys], assume_calls: list[dict[str, Any]]
) -> None:
    tenant = onboard("A")
    assert tenant_credentials.vendor() is None
    with signing_keys.recording() as signed:
        assert _create_customer(api, tenant, "ona@example.lt").status_code == 201
    assert signed
    assert {key for _, key in signed} == {platform_key()}
    assert assume_calls == []


def test_credentials_are_cached_until_shortly_before_they_expire(
    assume_calls: list[dict[str, Any]],
) -> None:
    now = [0.0]
    vendor = CredentialVendor(ROLE_ARN, "test-", refresh_seconds=300, clock=lambda: now[0])
    first = vendor.credentials("T1")
    now[0] = first.expires_at - 301
    assert vendor.credentials("T1") == first
    assert len(assume_calls) == 1
    now[0] = first.expires_at - 299
    second = vendor.credentials("T1")
    assert len(assume_calls) == 2
    assert second.access_key_id != first.access_key_id
    vendor.credentials("T2")
    assert [c["Tags"][0]["Value"] for c in assume_calls] == ["T1", "T1", "T2"]


def test_cache_is_bounded_least_recently_used_first(assume_calls: list[dict[str, Any]]) -> None:
    vendor = CredentialVendor(ROLE_ARN, "test-", max_tenants=2)
    for tenant in ("T1", "T2", "T1", "T3", "T1", "T2"):
        vendor.credentials(tenant)
    # T2 was the least recently used when T3 arrived, so only it had to be assumed again.
    assert [c["Tags"][0]["Value"] for c in assume_calls] == ["T1", "T2", "T3", "T2"]


@pytest.mark.parametrize("tenant_id", ["", "*", "T1*", "T?", "T1#CUSTOMER", "a b", "x" * 57])
def test_ids_that_could_widen_a_policy_get_no_credentials(
    assume_calls: list[dict[str, Any]], tenant_id: str
) -> None:
    vendor = CredentialVendor(ROLE_ARN, "test-")
    with pytest.raises(CredentialError):
        vendor.credentials(tenant_id)
    assert assume_calls == []


def test_session_policy_names_only_the_tenant_and_the_stage_tables() -> None:
    document = json.loads(session_policy("01TENANT", ROLE_ARN, "aftersales-prod-"))
    data, objects = document["Statement"]
    assert data["Resource"] == "arn:aws:dynamodb:*:123456789012:table/aftersales-prod-*"
    assert "dynamodb:Scan" not in data["Action"]
    assert data["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
        "01TENANT",
        "01TENANT#*",
    ]
    assert objects["Resource"] == "arn:aws:s3:::*/01TENANT/*"
    with pytest.raises(CredentialError):
        session_policy("01TENANT", "not-an-arn", "aftersales-prod-")
