"""Follow-up rules over HTTP: a solved ticket plans one CSAT survey; reopening cancels it;
rules are configurable per tenant; the follow-ups API lists, gets, cancels and reschedules."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.test_tickets import open_ticket, patch


def followups(api: Api, tenant: TenantKeys, query: str = "") -> list[dict[str, Any]]:
    r = api.request("GET", f"/v1/followups{query}", key=tenant.admin_key)
    assert r.status_code == 200, r.body
    return list(body_of(r)["items"])


def solve(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    ticket = open_ticket(api, tenant)
    r = patch(api, tenant, ticket, status="solved")
    assert r.status_code == 200, r.body
    return dict(body_of(r))


def test_solved_ticket_plans_one_csat_and_reopen_cancels_it(api: Api, tenant_a: TenantKeys) -> None:
    solved = solve(api, tenant_a)
    [planned] = followups(api, tenant_a)
    assert planned["kind"] == "csat_survey"
    assert planned["status"] == "scheduled"
    assert planned["subject_kind"] == "ticket"
    assert planned["subject_id"] == solved["id"]
    assert planned["rule"] == "csat_on_solved"
    r = patch(api, tenant_a, solved, status="open")
    assert r.status_code == 200, r.body
    [cancelled] = followups(api, tenant_a)
    assert cancelled["status"] == "cancelled"
    assert cancelled["reason"] == "ticket_reopened"
    assert followups(api, tenant_a, "?status=scheduled") == []


def test_rules_are_per_tenant_settings(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    r = api.request(
        "PUT",
        "/v1/settings/followups",
        key=tenant_a.admin_key,
        json_body={"rules": {"csat_on_solved": {"enabled": False}}},
    )
    assert r.status_code == 200, r.body
    solve(api, tenant_a)
    solve(api, tenant_b)
    assert followups(api, tenant_a) == []
    assert len(followups(api, tenant_b)) == 1
    r = api.request(
        "PUT",
        "/v1/settings/followups",
        key=tenant_a.admin_key,
        json_body={"rules": {"no_such_rule": {"enabled": True}}},
    )
    assert r.status_code == 422, r.body


def test_settings_show_every_rule_with_its_defaults_and_keep_the_rest(
    api: Api, tenant_a: TenantKeys
) -> None:
    r = api.request("GET", "/v1/settings/followups", key=tenant_a.admin_key)
    rules = body_of(r)["values"]["rules"]
    assert rules["csat_on_solved"]["enabled"] is True
    assert rules["csat_on_solved"]["delay_hours"] == 24
    assert rules["ces_on_closed"]["enabled"] is False
    assert rules["nps_sample"]["sample_percent"] == 20
    r = api.request(
        "PUT",
        "/v1/settings/followups",
        key=tenant_a.admin_key,
        json_body={"rules": {"ces_on_closed": {"enabled": True}}},
    )
    assert r.status_code == 200, r.body
    rules = body_of(r)["values"]["rules"]
    # Only what was sent changed; the rest keeps each rule's own defaults.
    assert (rules["ces_on_closed"]["enabled"], rules["ces_on_closed"]["delay_hours"]) == (True, 1)
    assert rules["csat_on_solved"]["delay_hours"] == 24


def test_a_webhook_rule_needs_an_endpoint(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "PUT",
        "/v1/settings/followups",
        key=tenant_a.admin_key,
        json_body={"rules": {"csat_on_solved": {"channel": "webhook"}}},
    )
    assert r.status_code == 422, r.body


def test_nps_sample_asks_each_sampled_customer_once_per_period_after_it_ends(
    api: Api, tenant_a: TenantKeys
) -> None:
    from datetime import datetime

    r = api.request(
        "PUT",
        "/v1/settings/followups",
        key=tenant_a.admin_key,
        json_body={"rules": {"nps_sample": {"enabled": True, "sample_percent": 100}}},
    )
    assert r.status_code == 200, r.body
    first = solve(api, tenant_a)
    solve(api, tenant_a)  # the same customer active again in the same period
    [nps] = followups(api, tenant_a, "?kind=nps_survey")
    assert (nps["subject_kind"], nps["subject_id"]) == ("customer", first["customer_id"])
    period_days = nps["data"]["period_days"]
    assert period_days == 91
    due = datetime.fromisoformat(nps["due_at"])
    created = datetime.fromisoformat(first["solved_at"])
    # Due after the end of the period the activity fell in, spread over at most a day.
    assert created < due
    days = due.timestamp() / 86_400
    assert (days // period_days) == (created.timestamp() / 86_400 // period_days) + 1
    assert days % period_days < 1
