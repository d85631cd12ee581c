"""SLA clocks: business time, pauses, replies, reopen, policy changes, thresholds, storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import sla
from chalicelib.domain.business_time import always_open, calendar_from_settings
from chalicelib.domain.sla import Happening, Metric, Policy, SlaState

VILNIUS = ZoneInfo("Europe/Vilnius")
OFFICE = calendar_from_settings(
    "Europe/Vilnius", {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)
BUSINESS = sla.Calendars(policy=OFFICE, business=OFFICE)
NORMAL = Policy("Normal", first_response=60, next_response=120, resolution=480)
URGENT = Policy("Urgent", first_response=30, next_response=60, resolution=120, priority="urgent")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VILNIUS)


def opened(now: datetime, policy: Policy | None = NORMAL) -> sla.Sla:
    state = sla.start(now)
    sla.advance(state, Happening(status="new"), policy=policy, calendars=BUSINESS, now=now)
    return state


def view(state: sla.Sla, metric: Metric, now: datetime) -> sla.ClockView:
    clock = state.clock(metric)
    assert clock is not None
    return sla.view(clock, calendars=BUSINESS, now=now, ratio=state.warning_ratio)


def test_due_times_follow_business_hours() -> None:
    state = opened(at(6, 16, 30))  # Friday 16:30
    first = view(state, Metric.FIRST_RESPONSE, at(6, 16, 30))
    assert first.due_at == at(9, 9, 30)  # 30 min Friday + 30 min Monday
    assert first.warning_at == at(9, 9, 18)  # 80% of 60 min = 48 min
    resolution = view(state, Metric.RESOLUTION, at(6, 16, 30))
    assert resolution.due_at == at(9, 16, 30)  # 0.5 h on Friday + 7.5 h on Monday
    assert sla.next_wakeup(state, calendars=BUSINESS) == at(9, 9, 18)


def test_first_reply_completes_first_response_in_time() -> None:
    state = opened(at(2, 9))
    sla.advance(
        state,
        Happening(status="open", previous_status="new", agent_replied=True),
        policy=NORMAL,
        calendars=BUSINESS,
        now=at(2, 9, 40),
    )
    first = view(state, Metric.FIRST_RESPONSE, at(2, 12))
    assert (first.status, first.state) == ("met", SlaState.OK)
    assert first.elapsed_seconds == 40 * 60
    clock = state.clock(Metric.FIRST_RESPONSE)
    assert clock is not None
    assert clock.outcome == "met"


def test_breach_is_recorded_at_the_instant_it_happened_and_once() -> None:
    state = opened(at(2, 16, 30))  # Monday 16:30, first response due Tuesday 09:30
    crossings = sla.check(state, calendars=BUSINESS, now=at(3, 12))
    kinds = {(c.metric, c.kind): c.at for c in crossings}
    assert kinds[(Metric.FIRST_RESPONSE, "warning")] == at(3, 9, 18)
    assert kinds[(Metric.FIRST_RESPONSE, "breach")] == at(3, 9, 30)
    assert sla.check(state, calendars=BUSINESS, now=at(3, 12, 5)) == []
    assert view(state, Metric.FIRST_RESPONSE, at(3, 12)).state is SlaState.BREACHED
    # The late reply completes the clock, still breached.
    sla.advance(
        state,
        Happening(status="open", previous_status="new", agent_replied=True),
        policy=NORMAL,
        calendars=BUSINESS,
        now=at(3, 13),
    )
    first = state.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert first.outcome == "breached"
    assert view(state, Metric.FIRST_RESPONSE, at(3, 13)).status == "breached"


def test_pending_pauses_every_open_clock() -> None:
    state = opened(at(2, 9))
    sla.advance(
        state,
        Happening(status="pending", previous_status="new", agent_replied=True),
        policy=NORMAL,
        calendars=BUSINESS,
        now=at(2, 10),
    )
    resolution = view(state, Metric.RESOLUTION, at(4, 15))
    assert resolution.status == "paused"
    assert resolution.elapsed_seconds == 3600
    assert resolution.due_at is None
    assert sla.next_wakeup(state, calendars=BUSINESS) is None
    assert sla.check(state, calendars=BUSINESS, now=at(20, 9)) == []
    # Customer answers two days later: the clock resumes where it stopped.
    sla.advance(
        state,
        Happening(status="open", previous_status="pending", customer_replied=True),
        policy=NORMAL,
        calendars=BUSINESS,
        now=at(4, 15),
    )
    resolution = view(state, Metric.RESOLUTION, at(4, 15))
    assert resolution.status == "running"
    assert resolution.due_at == at(5, 14)  # 7 h left: 2 h on Wednesday, 5 h on Thursday
    # ...and the customer's message started a next-response cycle.
    following = view(state, Metric.NEXT_RESPONSE, at(4, 15))
    assert (following.status, following.due_at) == ("running", at(4, 17))


def test_on_hold_pauses_only_when_configured() -> None:
    for pause_on_hold, expected in ((False, "running"), (True, "paused")):
        state = opened(at(2, 9))
        sla.advance(
            state,
            Happening(status="on_hold", previous_status="new"),
            policy=NORMAL,
            calendars=BUSINESS,
            now=at(2, 10),
            pause_on_hold=pause_on_hold,
        )
        assert view(state, Metric.RESOLUTION, at(2, 11)).status == expected


def test_next_response_cycles() -> None:
    state = opened(at(2, 9))
    reply = Happening(status="open", previous_status="new", agent_replied=True)
    sla.advance(state, reply, policy=NORMAL, calendars=BUSINESS, now=at(2, 9, 10))
    customer = Happening(status="open", previous_status="open", customer_replied=True)
    sla.advance(state, customer, policy=NORMAL, calendars=BUSINESS, now=at(2, 10))
    # A second customer message while waiting does not restart the cycle.
    sla.advance(state, customer, policy=NORMAL, calendars=BUSINESS, now=at(2, 11))
    following = view(state, Metric.NEXT_RESPONSE, at(2, 11))
    assert following.due_at == at(2, 12)
    again = Happening(status="open", previous_status="open", agent_replied=True)
    sla.advance(state, again, policy=NORMAL, calendars=BUSINESS, now=at(2, 11, 30))
    clock = state.clock(Metric.NEXT_RESPONSE)
    assert clock is not None
    assert clock.outcome == "met"
    assert clock.elapsed == 90 * 60
    sla.advance(state, customer, policy=NORMAL, calendars=BUSINESS, now=at(2, 14))
    clock = state.clock(Metric.NEXT_RESPONSE)
    assert clock is not None
    assert clock.is_open
    assert clock.started_at == at(2, 14)
    assert [c.metric for c in state.clocks].count(Metric.NEXT_RESPONSE) == 1


def test_a_customer_message_before_the_first_response_starts_no_cycle() -> None:
    state = opened(at(2, 9))
    customer = Happening(status="new", previous_status="new", customer_replied=True)
    sla.advance(state, customer, policy=NORMAL, calendars=BUSINESS, now=at(2, 9, 30))
    assert state.clock(Metric.NEXT_RESPONSE) is None


def test_solve_completes_and_reopen_resumes_resolution() -> None:
    state = opened(at(2, 9))
    solve = Happening(status="solved", previous_status="open", agent_replied=True)
    sla.advance(state, solve, policy=NORMAL, calendars=BUSINESS, now=at(2, 11))
    assert all(not c.is_open for c in state.clocks)
    assert view(state, Metric.RESOLUTION, at(2, 12)).status == "met"
    reopen = Happening(status="open", previous_status="solved", customer_replied=True)
    sla.advance(state, reopen, policy=NORMAL, calendars=BUSINESS, now=at(3, 9))
    resolution = view(state, Metric.RESOLUTION, at(3, 9))
    assert resolution.status == "running"
    assert resolution.elapsed_seconds == 2 * 3600
    assert resolution.due_at == at(3, 15)
    first = state.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert not first.is_open


def test_a_stricter_policy_mid_ticket_keeps_elapsed_time_and_can_breach_at_once() -> None:
    state = opened(at(2, 9))
    happening = Happening(status="new", previous_status="new")
    crossings = sla.advance(state, happening, policy=URGENT, calendars=BUSINESS, now=at(2, 9, 40))
    assert state.policy == "Urgent"
    assert {(c.metric, c.kind) for c in crossings} == {
        (Metric.FIRST_RESPONSE, "warning"),
        (Metric.FIRST_RESPONSE, "breach"),
    }
    breach = next(c for c in crossings if c.kind == "breach")
    assert breach.at == at(2, 9, 40)
    assert breach.target_minutes == 30
    assert view(state, Metric.RESOLUTION, at(2, 9, 40)).due_at == at(2, 11)


def test_a_looser_policy_clears_marks_it_no_longer_supports() -> None:
    state = opened(at(2, 9), policy=URGENT)
    sla.check(state, calendars=BUSINESS, now=at(2, 9, 45))
    first = state.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert first.breached_at is not None
    sla.advance(state, Happening(status="new"), policy=NORMAL, calendars=BUSINESS, now=at(2, 9, 46))
    assert first.breached_at is None
    assert first.warned_at is None
    assert view(state, Metric.FIRST_RESPONSE, at(2, 9, 46)).state is SlaState.OK


def test_completed_clocks_keep_the_target_they_were_measured_against() -> None:
    state = opened(at(2, 9))
    reply = Happening(status="open", previous_status="new", agent_replied=True)
    sla.advance(state, reply, policy=NORMAL, calendars=BUSINESS, now=at(2, 9, 50))
    sla.advance(state, Happening(status="open"), policy=URGENT, calendars=BUSINESS, now=at(2, 10))
    first = state.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert first.target_minutes == 60
    assert first.outcome == "met"


def test_no_policy_still_measures_time() -> None:
    state = opened(at(2, 9), policy=None)
    assert state.policy is None
    reply = Happening(status="open", previous_status="new", agent_replied=True)
    sla.advance(state, reply, policy=None, calendars=BUSINESS, now=at(2, 11))
    first = state.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert first.business_elapsed == 2 * 3600
    assert first.outcome is None
    assert sla.next_wakeup(state, calendars=BUSINESS) is None
    views = [sla.view(c, calendars=BUSINESS, now=at(2, 11), ratio=0.8) for c in state.clocks]
    assert sla.overall(views, ticket_active=True) is SlaState.NONE


def test_24_7_policy_counts_calendar_time_but_reports_business_time() -> None:
    calendars = sla.Calendars(policy=always_open(), business=OFFICE)
    around = Policy("24/7", first_response=120, business_hours=False)
    state = sla.start(at(6, 16))  # Friday 16:00
    sla.advance(state, Happening(status="new"), policy=around, calendars=calendars, now=at(6, 16))
    reply = Happening(status="open", previous_status="new", agent_replied=True)
    sla.advance(state, reply, policy=around, calendars=calendars, now=at(7, 10))  # Saturday
    first = state.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert first.elapsed == 18 * 3600
    assert first.outcome == "breached"
    assert first.business_elapsed == 3600  # only Friday 16:00-17:00 is business time
    assert first.breached_at == at(6, 18)


def test_clock_crossing_a_dst_weekend() -> None:
    # Friday 27 March 16:00 EET; the clocks go forward on Sunday 29 March.
    state = opened(at(27, 16), policy=Policy("P", resolution=240))
    resolution = view(state, Metric.RESOLUTION, at(27, 16))
    assert resolution.due_at == at(30, 12)
    assert resolution.due_at is not None
    assert resolution.due_at.astimezone(UTC).hour == 9


def test_overall_is_the_worst_clock() -> None:
    state = opened(at(2, 9))
    sla.check(state, calendars=BUSINESS, now=at(2, 9, 50))
    views = [sla.view(c, calendars=BUSINESS, now=at(2, 9, 50), ratio=0.8) for c in state.clocks]
    assert sla.overall(views, ticket_active=True) is SlaState.WARNING
    views = [sla.view(c, calendars=BUSINESS, now=at(2, 10, 5), ratio=0.8) for c in state.clocks]
    assert sla.overall(views, ticket_active=True) is SlaState.BREACHED


def test_policy_selection_prefers_the_most_specific() -> None:
    policies = [
        Policy("Any"),
        Policy("Urgent", priority="urgent"),
        Policy("Urgent covered", priority="urgent", entitlement="covered"),
        Policy("Gold", customer_tier="gold"),
        Policy("Claims", ticket_type="warranty_claim"),
    ]

    def pick(**kw: str | None) -> str | None:
        facts: dict[str, str | None] = {
            "priority": "normal",
            "ticket_type": "question",
            "customer_tier": None,
            "entitlement": "unknown",
            **kw,
        }
        chosen = sla.select_policy(policies, **facts)  # type: ignore[arg-type]
        return chosen.name if chosen else None

    assert pick() == "Any"
    assert pick(priority="urgent") == "Urgent"
    assert pick(priority="urgent", entitlement="covered") == "Urgent covered"
    assert pick(customer_tier="gold") == "Gold"
    assert pick(ticket_type="warranty_claim", customer_tier="gold") == "Gold"  # tie: list order
    assert (
        sla.select_policy(
            [Policy("Urgent", priority="urgent")],
            priority="low",
            ticket_type="question",
            customer_tier=None,
            entitlement="unknown",
        )
        is None
    )


def test_storage_round_trip() -> None:
    state = opened(at(2, 9))
    sla.check(state, calendars=BUSINESS, now=at(2, 12))
    restored = sla.from_json(sla.to_json(state))
    assert restored is not None
    assert sla.to_json(restored) == sla.to_json(state)
    assert restored.clocks[0].breached_at == state.clocks[0].breached_at
    assert sla.from_json(None) is None


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sla.start(datetime(2026, 3, 2, 9))


def test_long_pause_then_resume_under_a_changed_calendar() -> None:
    state = opened(at(2, 9))
    pend = Happening(status="pending", previous_status="new", agent_replied=True)
    sla.advance(state, pend, policy=NORMAL, calendars=BUSINESS, now=at(2, 10))
    late = at(2, 10) + timedelta(days=40)
    always = sla.Calendars(policy=always_open(), business=always_open())
    back = Happening(status="open", previous_status="pending", customer_replied=True)
    sla.advance(state, back, policy=NORMAL, calendars=always, now=late)
    resolution = state.clock(Metric.RESOLUTION)
    assert resolution is not None
    assert resolution.elapsed == 3600
    due = sla.view(resolution, calendars=always, now=late, ratio=0.8).due_at
    assert due == late + timedelta(hours=7)
