"""Counted DynamoDB cost per ticket request: bounded whatever the tenant's ticket count."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.dynamo_calls import recording


def _open(api: Api, tenant: TenantKeys, n: int) -> dict[str, Any]:
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant.admin_key,
        json_body={"subject": f"T{n}", "description": "d", "customer_email": "c@x.lt"},
    )
    assert r.status_code == 201
    return body_of(r)


@pytest.fixture
def no_subscribers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count the ticket code's own calls (in-process follow-up reactions are budgeted apart)."""
    from chalicelib.services import reactions

    monkeypatch.setattr(reactions, "SUBSCRIBERS", ())


@pytest.mark.parametrize("tickets", [1, 30])
def test_costs_do_not_grow_with_the_number_of_tickets(
    api: Api, tenant_a: TenantKeys, tickets: int, no_subscribers: None
) -> None:
    made = [_open(api, tenant_a, n) for n in range(tickets)]
    ticket = made[0]
    path = f"/v1/tickets/{ticket['id']}"
    api.request("GET", path, key=tenant_a.admin_key)  # warm the API-key cache
    with recording() as log:
        assert api.request("GET", path, key=tenant_a.admin_key).status_code == 200
    # One BatchGetItem: the ticket, the tenant record and its ticket settings sections.
    assert log.calls == ["BatchGetItem"]
    with recording() as log:
        r = api.request(
            "POST", f"{path}/messages", key=tenant_a.admin_key, json_body={"body": "On it"}
        )
        assert r.status_code == 201
    # BatchGetItem (ticket + context), then one transaction (ticket, message, audit, counters).
    assert log.calls == ["BatchGetItem", "TransactWriteItems"]
    current = body_of(api.request("GET", path, key=tenant_a.admin_key))
    with recording() as log:
        r = api.request(
            "PATCH",
            path,
            key=tenant_a.admin_key,
            json_body={"version": current["version"], "status": "pending"},
        )
        assert r.status_code == 200
    assert log.calls == ["BatchGetItem", "TransactWriteItems"]
    customer_id = ticket["customer_id"]
    with recording() as log:
        r = api.request(
            "POST",
            "/v1/tickets",
            key=tenant_a.admin_key,
            json_body={"subject": "s", "description": "d", "customer_id": customer_id},
        )
        assert r.status_code == 201
    # BatchGetItem (context + the customer), then one transaction.
    assert log.calls == ["BatchGetItem", "TransactWriteItems"]
