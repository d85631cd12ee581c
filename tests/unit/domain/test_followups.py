"""Follow-up rules: status machine, claims and leases, retry backoff, write sharding."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.followups import (
    TERMINAL_STATUSES,
    FollowUpKind,
    FollowUpStatus,
    RetryPolicy,
    SubjectKind,
    can_claim,
    ensure_transition,
    index_due_at,
    is_survey,
    is_transactional,
    lease_expiry,
    plan_retry,
    requires_marketing_consent,
    retry_delay,
    shard_for,
    shard_key,
    survey_metric,
    sweep_shard_keys,
    validate_subject,
)
from chalicelib.domain.scores import Metric

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_terminal_statuses_allow_nothing() -> None:
    assert {
        FollowUpStatus.SENT,
        FollowUpStatus.SKIPPED,
        FollowUpStatus.CANCELLED,
        FollowUpStatus.FAILED,
    } == TERMINAL_STATUSES
    for status in TERMINAL_STATUSES:
        with pytest.raises(Conflict):
            ensure_transition(status, FollowUpStatus.SCHEDULED)


def test_scheduled_can_only_be_claimed_or_cancelled() -> None:
    assert ensure_transition(FollowUpStatus.SCHEDULED, FollowUpStatus.CLAIMED)
    assert ensure_transition(FollowUpStatus.SCHEDULED, FollowUpStatus.CANCELLED)
    with pytest.raises(Conflict) as refused:
        ensure_transition(FollowUpStatus.SCHEDULED, FollowUpStatus.SENT)
    assert refused.value.code == "invalid_transition"
    # A claimed follow-up may go back to scheduled (retry, deferral).
    assert ensure_transition(FollowUpStatus.CLAIMED, FollowUpStatus.SCHEDULED)


def test_claims_need_due_time_or_an_expired_lease() -> None:
    due = NOW - timedelta(seconds=1)
    assert can_claim(FollowUpStatus.SCHEDULED, due_at=due, lease_expires_at=None, now=NOW)
    assert not can_claim(
        FollowUpStatus.SCHEDULED, due_at=NOW + timedelta(seconds=1), lease_expires_at=None, now=NOW
    )
    lease = lease_expiry(NOW, timedelta(minutes=5))
    assert not can_claim(FollowUpStatus.CLAIMED, due_at=due, lease_expires_at=lease, now=NOW)
    assert can_claim(FollowUpStatus.CLAIMED, due_at=due, lease_expires_at=lease, now=lease)
    assert not can_claim(FollowUpStatus.SENT, due_at=due, lease_expires_at=None, now=NOW)
    with pytest.raises(ValueError, match="aware"):
        can_claim(
            FollowUpStatus.SCHEDULED,
            due_at=due,
            lease_expires_at=None,
            now=NOW.replace(tzinfo=None),
        )


def test_the_sparse_index_holds_open_items_only() -> None:
    lease = NOW + timedelta(minutes=5)
    assert index_due_at(FollowUpStatus.SCHEDULED, due_at=NOW, lease_expires_at=None) == NOW
    # A claimed item sits at its lease expiry, so an abandoned claim comes back by itself.
    assert index_due_at(FollowUpStatus.CLAIMED, due_at=NOW, lease_expires_at=lease) == lease
    for status in TERMINAL_STATUSES:
        assert index_due_at(status, due_at=NOW, lease_expires_at=lease) is None


def test_backoff_grows_is_stable_and_capped() -> None:
    policy = RetryPolicy(base_delay=timedelta(minutes=1), max_delay=timedelta(hours=1))
    delays = [retry_delay(policy, "01HZ", attempt) for attempt in range(1, 9)]
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert delays[0] >= timedelta(minutes=1)
    assert max(delays) <= timedelta(hours=1)
    assert delays == [retry_delay(policy, "01HZ", a) for a in range(1, 9)]  # deterministic
    # Different follow-ups get different jitter (no thundering herd).
    assert retry_delay(policy, "A", 3) != retry_delay(policy, "B", 3)


def test_retry_plan_fails_when_out_of_attempts_or_permanent() -> None:
    policy = RetryPolicy(max_attempts=3)
    again = plan_retry(policy, "x", attempts=1, now=NOW)
    assert again.status is FollowUpStatus.SCHEDULED
    assert again.due_at is not None
    assert again.due_at > NOW
    assert plan_retry(policy, "x", attempts=3, now=NOW).status is FollowUpStatus.FAILED
    permanent = plan_retry(policy, "x", attempts=1, now=NOW, retryable=False)
    assert permanent.status is FollowUpStatus.FAILED


def test_policies_that_could_shrink_delays_are_refused() -> None:
    with pytest.raises(ValueError, match="multiplier"):
        RetryPolicy(multiplier=1.2, jitter=0.5)
    with pytest.raises(ValueError, match="base_delay"):
        RetryPolicy(base_delay=timedelta(0))


def test_shards_are_stable_uniform_and_all_swept() -> None:
    ids = [f"01J{n:023d}" for n in range(4000)]
    counts = [0] * 16
    for item_id in ids:
        counts[shard_for(item_id, 16)] += 1
    assert min(counts) > 4000 / 16 * 0.7  # no shard is starved or hot
    assert shard_for(ids[0], 16) == shard_for(ids[0], 16)
    assert sweep_shard_keys(4) == ("due#0", "due#1", "due#2", "due#3")
    # Keys do not depend on the count: raising it keeps old items' keys valid.
    assert shard_key(3) == "due#3"
    with pytest.raises(ValueError, match="shard_count"):
        sweep_shard_keys(0)


def test_kind_traits() -> None:
    assert is_survey(FollowUpKind.CSAT_SURVEY)
    assert survey_metric(FollowUpKind.NPS_SURVEY) is Metric.NPS
    assert survey_metric(FollowUpKind.MAINTENANCE_REMINDER) is None
    assert is_transactional(FollowUpKind.TICKET_AUTO_CLOSE_NOTICE)
    assert requires_marketing_consent(FollowUpKind.WARRANTY_EXPIRY_REMINDER)
    assert not requires_marketing_consent(FollowUpKind.CSAT_SURVEY)
    validate_subject(FollowUpKind.CSAT_SURVEY, SubjectKind.TICKET)
    with pytest.raises(Invalid) as refused:
        validate_subject(FollowUpKind.CSAT_SURVEY, SubjectKind.WARRANTY)
    assert refused.value.code == "invalid_subject"
