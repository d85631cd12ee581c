"""Single use with an edit window, and the counter items a response counts in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import survey_answers as answers
from chalicelib.domain.errors import Conflict
from chalicelib.domain.scores import Counters, Granularity, Metric, counters_from_scores

T0 = datetime(2026, 11, 22, 23, 50, tzinfo=UTC)


def test_first_answer_creates() -> None:
    assert answers.decide_answer(None, T0) is answers.AnswerAction.CREATE


def test_second_answer_within_the_window_updates() -> None:
    window = timedelta(minutes=30)
    assert answers.decide_answer(T0, T0 + timedelta(minutes=29, seconds=59), window) == "update"


def test_answer_after_the_window_is_refused() -> None:
    with pytest.raises(Conflict) as info:
        answers.decide_answer(T0, T0 + timedelta(minutes=30), timedelta(minutes=30))
    assert info.value.code == "survey_already_answered"


def test_window_runs_from_the_first_answer() -> None:
    assert answers.editable_until(T0, timedelta(minutes=10)) == T0 + timedelta(minutes=10)


def test_counter_attributes_round_trip() -> None:
    stored: dict[str, object] = {"sk": "day#2026-11-23#*", "tenant_id": "T"}
    for score in (9, 3, 9, 7):
        for name, amount in answers.first_answer_delta(Metric.NPS, score).items():
            stored[name] = int(stored.get(name, 0)) + amount  # type: ignore[call-overload]
    for name, amount in answers.change_delta(Metric.NPS, 3, 10).items():
        stored[name] = int(stored.get(name, 0)) + amount  # type: ignore[call-overload]
    assert answers.counters_of(Metric.NPS, stored) == counters_from_scores(
        Metric.NPS, [9, 10, 9, 7]
    )
    assert answers.counters_of(Metric.CSAT, stored) == Counters()
    assert stored["nps_s3"] == 0  # a zeroed count is stored as 0 and reads as absent
    assert answers.change_delta(Metric.NPS, 5, 5) == {}


def test_add_counters() -> None:
    left = counters_from_scores(Metric.CSAT, [1, 5])
    right = counters_from_scores(Metric.CSAT, [5, 4])
    assert answers.add_counters(left, right) == counters_from_scores(Metric.CSAT, [1, 5, 5, 4])


def test_a_response_counts_in_every_granularity_and_dimension() -> None:
    buckets = answers.response_buckets(T0, ZoneInfo("Europe/Vilnius"))
    # 23:50 UTC is 01:50 the next day in Vilnius (UTC+2 in November).
    assert buckets == {"day": "2026-11-23", "week": "2026-W48", "month": "2026-11"}
    targets = answers.counter_targets(buckets, agent="ana", product="P-1")
    assert {(t.dimension, t.sort_key) for t in targets} == {
        ("all", "day#2026-11-23#*"),
        ("all", "week#2026-W48#*"),
        ("all", "month#2026-11#*"),
        ("agent", "day#2026-11-23#ana"),
        ("agent", "week#2026-W48#ana"),
        ("agent", "month#2026-11#ana"),
        ("product", "day#2026-11-23#P-1"),
        ("product", "week#2026-W48#P-1"),
        ("product", "month#2026-11#P-1"),
    }
    assert len(answers.counter_targets(buckets, agent=None, product=None)) == 3
    assert {t.granularity for t in targets} == set(Granularity)
