"""``find_or_create_customer``: one customer per email, even when two callers race."""

from __future__ import annotations

import pytest

from chalicelib import context
from chalicelib.services import customers
from tests.integration.conftest import TenantKeys


def test_finds_by_email_case_insensitively_and_keeps_the_name(tenant_a: TenantKeys) -> None:
    tenant = tenant_a.tenant_id
    with context.serving_tenant(tenant):
        made = customers.find_or_create_customer(tenant, email="Ona@Example.lt", name="Ona")
        again = customers.find_or_create_customer(tenant, email="ona@example.lt", name="Other")
        by_external = customers.find_or_create_customer(
            tenant, email=None, name="X", external_id="ERP-1"
        )
        again_external = customers.find_or_create_customer(
            tenant, email=None, name=None, external_id="ERP-1"
        )
        nameless = customers.find_or_create_customer(tenant, email="jonas@x.lt", name=None)
    assert again.id == made.id
    assert again.name == "Ona"
    assert by_external.id == again_external.id
    assert nameless.name == "jonas"


def test_a_lost_creation_race_returns_the_winner(
    tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = tenant_a.tenant_id
    real_find = customers._find_guarded
    calls = {"n": 0}

    def racing_find(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            # Another request creates the customer between our lookup and our create.
            customers.create_customer(
                tenant, customers.CustomerCreate(name="Winner", email="race@x.lt")
            )
            return None
        return real_find(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(customers, "_find_guarded", racing_find)
    with context.serving_tenant(tenant):
        got = customers.find_or_create_customer(tenant, email="race@x.lt", name="Loser")
        listed = customers.list_customers(tenant, customers.CustomerListQuery())
    assert got.name == "Winner"
    assert [c.name for c in listed.items] == ["Winner"]
