"""A new tenant's first hour (issue 16, defect 16): what it starts with and what it can see.

- A tenant in Vilnius, Riga or Tallinn starts with its country's public-holiday calendar.
- The survey interval shown in the settings is the one that holds: built-in surveys add no
  hidden 30-day throttle of their own, so lowering the setting takes effect.
- The local outbox shows plain recipient addresses and each entry's channel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import patch_engine_clock
from tests.support.followups import Clock, Engine, new_customer, plan_followup


@pytest.mark.parametrize(
    ("time_zone", "presets"),
    [
        ("Europe/Vilnius", ["LT"]),
        ("Europe/Riga", ["LV"]),
        ("Europe/Tallinn", ["EE"]),
        ("Europe/Berlin", []),
        ("UTC", []),
    ],
)
def test_a_new_tenant_starts_with_its_countrys_holidays(
    api: Api, onboard: Callable[..., TenantKeys], time_zone: str, presets: list[str]
) -> None:
    tenant = onboard("Shop", time_zone=time_zone)
    r = api.request("GET", "/v1/settings", key=tenant.admin_key)
    assert r.status_code == 200, r.body
    hours = body_of(r)["sections"]["business_hours"]
    assert hours["values"]["holiday_presets"] == presets
    # The tenant changes it like any other section, with the version it reads (none while
    # it has the defaults).
    body: dict[str, Any] = {"holiday_presets": ["LV"]}
    if hours["version"]:
        body["version"] = hours["version"]
    r = api.request("PUT", "/v1/settings/business_hours", key=tenant.admin_key, json_body=body)
    assert r.status_code == 200, r.body
    assert body_of(r)["values"]["holiday_presets"] == ["LV"]


def test_estonian_holidays_are_computed_for_any_year() -> None:
    from datetime import date

    from chalicelib.domain.holidays import public_holidays

    days = public_holidays("EE", 2026)
    assert date(2026, 2, 24) in days  # Independence Day
    assert date(2026, 4, 3) in days  # Good Friday (Easter 5 April 2026)
    assert date(2026, 5, 24) in days  # Pentecost
    assert date(2026, 8, 20) in days


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    patch_engine_clock(monkeypatch, c)
    return c


@pytest.fixture
def engine(api: Api, clock: Clock) -> Engine:
    from scripts.provision import provision

    provision()
    return Engine(clock)


def _followup(api: Api, tenant: TenantKeys, followup_id: str) -> dict[str, Any]:
    r = api.request("GET", f"/v1/followups/{followup_id}", key=tenant.admin_key)
    return dict(body_of(r))


def test_the_survey_interval_in_the_settings_is_the_one_that_holds(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    current = body_of(api.request("GET", "/v1/settings/followups", key=tenant_a.admin_key))
    assert current["values"]["budget"]["survey_interval_days"] == 30  # the effective default
    values = dict(current["values"])
    values["budget"] = {
        **values["budget"],
        "survey_interval_days": 7,
        "quiet_hours_enabled": False,
    }
    r = api.request("PUT", "/v1/settings/followups", key=tenant_a.admin_key, json_body=values)
    assert r.status_code == 200, r.body
    person = new_customer(api, tenant_a)["id"]
    ask = {"kind": "nps_survey", "customer_id": person, "subject_id": person}
    first = plan_followup(api, tenant_a, clock.now, **ask)
    engine.tick()
    assert _followup(api, tenant_a, first["id"])["status"] == "sent"
    # Ten days on: past the 7 days the tenant set. No survey is configured, so nothing else
    # may hold the second one back (a hidden built-in 30-day throttle used to).
    clock.now += timedelta(days=10)
    second = plan_followup(api, tenant_a, clock.now, **ask)
    engine.tick()
    item = _followup(api, tenant_a, second["id"])
    assert item["status"] == "sent", item
    # And inside the interval the setting still throttles.
    clock.now += timedelta(days=3)
    third = plan_followup(api, tenant_a, clock.now, **ask)
    engine.tick()
    item = _followup(api, tenant_a, third["id"])
    assert (item["status"], item["reason"]) == ("skipped", "survey_throttled")


def test_the_local_outbox_shows_plain_addresses_and_the_channel(api: Api) -> None:
    import boto3

    from scripts.local_stack import _sent_emails

    ses = boto3.client("ses", region_name="eu-west-1")
    ses.verify_email_identity(EmailAddress="no-reply@example.com")
    ses.send_email(
        Source="no-reply@example.com",
        Destination={"ToAddresses": ["ona@example.lt"], "CcAddresses": ["rasa@example.lt"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Body"}}},
    )
    [entry] = [e for e in _sent_emails() if e["subject"] == "Hello"]
    assert entry["to"] == "ona@example.lt, rasa@example.lt"
    assert entry["channel"] == "email"
    assert "ToAddresses" not in str(entry)
