"""The contact budget: consent, survey throttle, rolling window, quiet hours across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from chalicelib.domain.contact_budget import (
    ContactPolicy,
    ContactState,
    Outcome,
    QuietHours,
    Reason,
    decide,
    quiet_hours_end,
    record_send,
    slot_free_at,
)
from chalicelib.domain.errors import Invalid
from chalicelib.domain.followups import FollowUpKind

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NO_QUIET = ContactPolicy(quiet_hours=None)


def test_consent_and_unsubscribe_skip() -> None:
    assert decide(
        NO_QUIET, ContactState(contact_consent=False), FollowUpKind.CSAT_SURVEY, NOON
    ) == (
        decide(
            NO_QUIET,
            ContactState(contact_consent=False),
            FollowUpKind.TICKET_AUTO_CLOSE_NOTICE,
            NOON,
        )
    )
    skipped = decide(NO_QUIET, ContactState(contact_consent=False), FollowUpKind.CSAT_SURVEY, NOON)
    assert (skipped.outcome, skipped.reason) == (Outcome.SKIP, Reason.NO_CONSENT)
    unsubscribed = ContactState(surveys_unsubscribed=True)
    assert (
        decide(NO_QUIET, unsubscribed, FollowUpKind.NPS_SURVEY, NOON).reason is Reason.UNSUBSCRIBED
    )
    # Unsubscribed from surveys still gets a (non-marketing) reminder.
    assert (
        decide(NO_QUIET, unsubscribed, FollowUpKind.MAINTENANCE_REMINDER, NOON).outcome
        is Outcome.SEND
    )
    offer = decide(NO_QUIET, ContactState(), FollowUpKind.WARRANTY_EXPIRY_REMINDER, NOON)
    assert offer.reason is Reason.NO_MARKETING_CONSENT


def test_one_survey_per_interval() -> None:
    state = record_send(NO_QUIET, ContactState(), FollowUpKind.CSAT_SURVEY, NOON)
    later = NOON + timedelta(days=29)
    assert decide(NO_QUIET, state, FollowUpKind.NPS_SURVEY, later).reason is Reason.SURVEY_THROTTLED
    assert decide(NO_QUIET, state, FollowUpKind.NPS_SURVEY, NOON + timedelta(days=30)).outcome is (
        Outcome.SEND
    )


def test_budget_window_defers_then_skips_beyond_the_maximum_deferral() -> None:
    policy = ContactPolicy(max_messages=2, window_days=7, quiet_hours=None)
    state = ContactState(marketing_consent=True)
    for sent in (NOON - timedelta(days=6), NOON - timedelta(days=1)):
        state = record_send(policy, state, FollowUpKind.MAINTENANCE_REMINDER, sent)
    deferred = decide(policy, state, FollowUpKind.MAINTENANCE_REMINDER, NOON)
    # The oldest counted send leaves the window one day from now.
    assert (deferred.outcome, deferred.reason) == (Outcome.DEFER, Reason.BUDGET_WINDOW)
    assert deferred.not_before == NOON + timedelta(days=1)
    tight = ContactPolicy(
        max_messages=2, window_days=7, quiet_hours=None, max_deferral=timedelta(hours=2)
    )
    assert (
        decide(tight, state, FollowUpKind.MAINTENANCE_REMINDER, NOON).reason
        is Reason.BUDGET_EXHAUSTED
    )
    # Transactional notices are never held back by the budget.
    assert (
        decide(policy, state, FollowUpKind.TICKET_AUTO_CLOSE_NOTICE, NOON).outcome is Outcome.SEND
    )


def test_history_is_bounded_and_slot_frees_exactly_at_window_end() -> None:
    policy = ContactPolicy(max_messages=2, window_days=1, quiet_hours=None)
    state = ContactState()
    for hours in range(10):
        state = record_send(
            policy, state, FollowUpKind.MAINTENANCE_REMINDER, NOON + timedelta(hours=hours)
        )
    assert len(state.recent_sends) == 2
    last = NOON + timedelta(hours=9)
    free = slot_free_at(policy, state.recent_sends, last)
    assert free == NOON + timedelta(hours=8) + timedelta(days=1)
    assert slot_free_at(policy, state.recent_sends, free) is None


def test_quiet_hours_use_the_customers_zone_and_fall_back_to_the_tenants() -> None:
    policy = ContactPolicy(tenant_time_zone="Europe/Vilnius")
    late = datetime(2026, 1, 15, 21, 30, tzinfo=UTC)  # 23:30 in Vilnius (UTC+2)
    deferred = decide(policy, ContactState(), FollowUpKind.CSAT_SURVEY, late)
    assert (deferred.reason, deferred.not_before) == (
        Reason.QUIET_HOURS,
        datetime(2026, 1, 16, 6, 0, tzinfo=UTC),
    )
    # The same instant is 16:30 in New York: no quiet hours there.
    in_ny = ContactState(time_zone="America/New_York")
    assert decide(policy, in_ny, FollowUpKind.CSAT_SURVEY, late).outcome is Outcome.SEND
    # An unknown zone falls back to the tenant's.
    bogus = ContactState(time_zone="Mars/Olympus")
    assert decide(policy, bogus, FollowUpKind.CSAT_SURVEY, late).reason is Reason.QUIET_HOURS


def test_quiet_hours_end_across_a_dst_change() -> None:
    from zoneinfo import ZoneInfo

    quiet = QuietHours(start=time(21, 0), end=time(8, 0))
    vilnius = ZoneInfo("Europe/Vilnius")
    # Night of 28-29 March 2026: clocks go from UTC+2 to UTC+3 at 03:00 local.
    night = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert quiet_hours_end(quiet, vilnius, night) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert quiet_hours_end(quiet, vilnius, datetime(2026, 3, 29, 9, 0, tzinfo=UTC)) is None


def test_invalid_policies_report_every_field() -> None:
    with pytest.raises(Invalid) as refused:
        ContactPolicy(max_messages=0, window_days=0, tenant_time_zone="Nowhere/City")
    fields = {e.field for e in refused.value.errors}
    assert fields == {"max_messages", "window_days", "tenant_time_zone"}
    with pytest.raises(Invalid):
        QuietHours(start=time(8, 0), end=time(8, 0))
